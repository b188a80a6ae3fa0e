//! The BOM container ("BOMStore") and its B+ trees.
//!
//! Layout (big-endian; bomutils `bom.h` via iineva `pkg/bom/bom.go`, xcbuild `bom_format.h`):
//! a 512-byte header, a block table of `{address, length}` slots that every other structure
//! refers to by index, and a table of named variables, each the index of one block. A tree
//! variable points at a `tree` header whose root node is either a leaf or an index node; leaves
//! are chained left to right through their `forward` links.

use std::collections::HashSet;

use super::CarError;
use super::bytes::{Cursor, to_usize};

/// Index levels accepted above the leaves; real catalogs have none, and a 4096-byte node
/// holds ~500 children, so 16 levels is far beyond any real file.
const MAX_TREE_DEPTH: usize = 16;

/// A parsed BOMStore: the block table and the variables, both borrowed from the file.
pub(super) struct Bom<'a> {
    data: &'a [u8],
    /// The block table's slots, 8 bytes each (`u32 address, u32 length`).
    slots: &'a [u8],
    variables: Vec<(&'a [u8], u32)>,
}

/// One key/value pair of a tree leaf, both as raw block contents.
#[derive(Clone, Copy)]
pub(super) struct TreeEntry<'a> {
    pub key: &'a [u8],
    pub value: &'a [u8],
}

/// A tree node block: `u16 isLeaf, u16 count, u32 forward, u32 backward`, then `count`
/// pairs of `{u32 valueIndex, u32 keyIndex}` (value first; xcbuild `bom_tree_entry_indexes`).
struct Node<'a> {
    is_leaf: bool,
    forward: u32,
    pairs: &'a [u8],
}

impl<'a> Bom<'a> {
    pub(super) fn parse(data: &'a [u8]) -> Result<Self, CarError> {
        if !data.starts_with(b"BOMStore") {
            return Err(CarError::NotABomStore);
        }
        let mut header = Cursor::at(data, 8, "the BOM header")?;
        let _version = header.u32_be()?;
        let _non_null_blocks = header.u32_be()?;
        let table_offset = to_usize(header.u32_be()?);
        let _table_length = header.u32_be()?;
        let variables_offset = to_usize(header.u32_be()?);

        let mut table = Cursor::at(data, table_offset, "the BOM block table")?;
        let slot_count = to_usize(table.u32_be()?);
        let slots = table.take(slot_count.saturating_mul(8))?;
        let variables = parse_variables(data, variables_offset)?;
        Ok(Bom {
            data,
            slots,
            variables,
        })
    }

    /// The contents of block `index`.
    pub(super) fn block(&self, index: u32) -> Result<&'a [u8], CarError> {
        let slot = to_usize(index)
            .checked_mul(8)
            .and_then(|start| self.slots.get(start..start.checked_add(8)?))
            .ok_or(CarError::BadBlockIndex { index })?;
        let mut slot = Cursor::new(slot, "a block table slot");
        let address = to_usize(slot.u32_be()?);
        let length = to_usize(slot.u32_be()?);
        Cursor::at(self.data, address, "a BOM block")?.take(length)
    }

    /// The block index stored under the variable `name`, if the catalog has it.
    pub(super) fn variable(&self, name: &str) -> Option<u32> {
        self.variables
            .iter()
            .find(|(variable, _)| *variable == name.as_bytes())
            .map(|&(_, index)| index)
    }

    /// The contents of the block named by variable `name`, if the catalog has it.
    pub(super) fn variable_block(&self, name: &'static str) -> Result<Option<&'a [u8]>, CarError> {
        self.variable(name)
            .map(|index| self.block(index))
            .transpose()
    }

    /// Every entry of the tree named `name`, in key order, or `None` when there is no such
    /// variable. Descends to the leftmost leaf, then follows the leaves' forward links.
    pub(super) fn tree(&self, name: &'static str) -> Result<Option<Vec<TreeEntry<'a>>>, CarError> {
        let Some(header_index) = self.variable(name) else {
            return Ok(None);
        };
        // Tree header (xcbuild `struct bom_tree`): 'tree', u32 version, u32 root node, ...
        let mut header = Cursor::new(self.block(header_index)?, "a BOM tree header");
        header.expect_signature("tree")?;
        let _version = header.u32_be()?;
        let root = header.u32_be()?;
        let first_leaf = self.leftmost_leaf(name, root)?;
        self.leaf_entries(name, first_leaf).map(Some)
    }

    fn leftmost_leaf(&self, tree: &'static str, root: u32) -> Result<u32, CarError> {
        let mut index = root;
        for _ in 0..=MAX_TREE_DEPTH {
            let node = self.node(index)?;
            if node.is_leaf {
                return Ok(index);
            }
            // An index node's entries point at its children; the first is the leftmost.
            let mut first_pair = Cursor::new(node.pairs, "a BOM tree node");
            index = first_pair.u32_be().map_err(|_| CarError::MalformedTree {
                tree,
                reason: "an index node has no children",
            })?;
        }
        Err(CarError::MalformedTree {
            tree,
            reason: "it is deeper than any real catalog (or its index nodes form a cycle)",
        })
    }

    fn leaf_entries(
        &self,
        tree: &'static str,
        first_leaf: u32,
    ) -> Result<Vec<TreeEntry<'a>>, CarError> {
        let mut entries = Vec::new();
        let mut visited = HashSet::new();
        let mut next = first_leaf;
        // Index 0 is the null block, which ends the chain.
        while next != 0 {
            // Each leaf is a distinct block, so a revisit means the links form a cycle.
            if !visited.insert(next) {
                return Err(CarError::MalformedTree {
                    tree,
                    reason: "its leaves link back to an earlier leaf",
                });
            }
            let leaf = self.node(next)?;
            if !leaf.is_leaf {
                return Err(CarError::MalformedTree {
                    tree,
                    reason: "a leaf's forward link points at an index node",
                });
            }
            let mut pairs = Cursor::new(leaf.pairs, "a BOM tree node");
            while !pairs.is_empty() {
                let value = self.block(pairs.u32_be()?)?;
                let key = self.block(pairs.u32_be()?)?;
                entries.push(TreeEntry { key, value });
            }
            next = leaf.forward;
        }
        Ok(entries)
    }

    fn node(&self, index: u32) -> Result<Node<'a>, CarError> {
        let mut node = Cursor::new(self.block(index)?, "a BOM tree node");
        let is_leaf = node.u16_be()? != 0;
        let count = usize::from(node.u16_be()?);
        let forward = node.u32_be()?;
        let _backward = node.u32_be()?;
        let pairs = node.take(count * 8)?;
        Ok(Node {
            is_leaf,
            forward,
            pairs,
        })
    }
}

/// The variable table: `u32 count`, then `{u32 blockIndex, u8 nameLength, name}` each.
fn parse_variables(data: &[u8], offset: usize) -> Result<Vec<(&[u8], u32)>, CarError> {
    let mut table = Cursor::at(data, offset, "the BOM variable table")?;
    let count = table.u32_be()?;
    // Each variable takes at least 5 bytes, which bounds the loop by the file size.
    let mut variables = Vec::new();
    for _ in 0..count {
        let index = table.u32_be()?;
        let name_length = usize::from(table.u8()?);
        variables.push((table.take(name_length)?, index));
    }
    Ok(variables)
}
