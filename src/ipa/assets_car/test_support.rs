//! Builders for synthetic catalogs: a BOM writer with multi-leaf trees, CSI records, bitmap
//! payloads and a tiny JPEG, so tests can reach cases the real fixtures do not have.

/// The key format of every synthetic catalog: appearance, scale, idiom, subtype,
/// dimension2, display gamut, dimension1, identifier, element, part.
pub(super) const KEY_FORMAT: [u16; 10] = [7, 12, 15, 16, 9, 24, 8, 17, 1, 2];

/// One `RENDITIONS` entry: key attributes (others are 0) and the CSI record.
pub(super) struct Entry {
    pub key: Vec<(u16, u16)>,
    pub value: Vec<u8>,
}

/// A BOMStore under construction; block 0 is the null block.
pub(super) struct BomWriter {
    blocks: Vec<Vec<u8>>,
    variables: Vec<(String, u32)>,
}

impl BomWriter {
    pub(super) fn new() -> Self {
        BomWriter {
            blocks: vec![Vec::new()],
            variables: Vec::new(),
        }
    }

    pub(super) fn add_block(&mut self, bytes: Vec<u8>) -> u32 {
        self.blocks.push(bytes);
        u32::try_from(self.blocks.len() - 1).unwrap()
    }

    pub(super) fn set_block(&mut self, index: u32, bytes: Vec<u8>) {
        self.blocks[index as usize] = bytes;
    }

    pub(super) fn add_variable(&mut self, name: &str, bytes: Vec<u8>) -> u32 {
        let index = self.add_block(bytes);
        self.variables.push((name.to_owned(), index));
        index
    }

    /// A B+ tree with at most `leaf_capacity` entries per leaf and per index node, leaves
    /// chained by forward links. Returns the leaf block indices, left to right.
    pub(super) fn add_tree(
        &mut self,
        name: &str,
        entries: &[(Vec<u8>, Vec<u8>)],
        leaf_capacity: usize,
    ) -> Vec<u32> {
        let mut leaf_pairs = Vec::new();
        for chunk in entries.chunks(leaf_capacity.max(1)) {
            let pairs: Vec<(u32, u32)> = chunk
                .iter()
                .map(|(key, value)| (self.add_block(value.clone()), self.add_block(key.clone())))
                .collect();
            leaf_pairs.push(pairs);
        }
        if leaf_pairs.is_empty() {
            leaf_pairs.push(Vec::new());
        }
        let leaves: Vec<u32> = leaf_pairs
            .iter()
            .map(|_| self.add_block(Vec::new()))
            .collect();
        for (position, pairs) in leaf_pairs.iter().enumerate() {
            let forward = leaves.get(position + 1).copied().unwrap_or(0);
            let backward = if position == 0 {
                0
            } else {
                leaves[position - 1]
            };
            self.set_block(leaves[position], node(true, forward, backward, pairs));
        }
        // Index levels: each index entry is (child, the child's first key block).
        let mut level: Vec<(u32, u32)> = leaves
            .iter()
            .zip(&leaf_pairs)
            .map(|(&leaf, pairs)| (leaf, pairs.first().map_or(0, |&(_, key)| key)))
            .collect();
        while level.len() > 1 {
            level = level
                .chunks(leaf_capacity.max(2))
                .map(|children| (self.add_block(node(false, 0, 0, children)), children[0].1))
                .collect();
        }
        let mut header = b"tree".to_vec();
        for field in [1, level[0].0, 4096, u32::try_from(entries.len()).unwrap()] {
            header.extend(field.to_be_bytes());
        }
        header.push(0);
        self.add_variable(name, header);
        leaves
    }

    pub(super) fn build(&self) -> Vec<u8> {
        let mut file = vec![0u8; 512];
        let mut slots = Vec::new();
        for block in &self.blocks {
            let address = if block.is_empty() { 0 } else { file.len() };
            slots.push((
                u32::try_from(address).unwrap(),
                u32::try_from(block.len()).unwrap(),
            ));
            file.extend(block);
        }
        let table_offset = file.len();
        file.extend(u32::try_from(slots.len()).unwrap().to_be_bytes());
        for (address, length) in slots {
            file.extend(address.to_be_bytes());
            file.extend(length.to_be_bytes());
        }
        file.extend(0u32.to_be_bytes()); // empty free list
        let table_length = file.len() - table_offset;
        let variables_offset = file.len();
        file.extend(u32::try_from(self.variables.len()).unwrap().to_be_bytes());
        for (name, index) in &self.variables {
            file.extend(index.to_be_bytes());
            file.push(u8::try_from(name.len()).unwrap());
            file.extend(name.as_bytes());
        }
        let variables_length = file.len() - variables_offset;
        let header = [
            1,
            u32::try_from(self.blocks.len() - 1).unwrap(),
            u32::try_from(table_offset).unwrap(),
            u32::try_from(table_length).unwrap(),
            u32::try_from(variables_offset).unwrap(),
            u32::try_from(variables_length).unwrap(),
        ];
        file[..8].copy_from_slice(b"BOMStore");
        for (position, field) in header.iter().enumerate() {
            file[8 + position * 4..12 + position * 4].copy_from_slice(&field.to_be_bytes());
        }
        file
    }
}

fn node(is_leaf: bool, forward: u32, backward: u32, pairs: &[(u32, u32)]) -> Vec<u8> {
    let mut bytes = u16::from(is_leaf).to_be_bytes().to_vec();
    bytes.extend(u16::try_from(pairs.len()).unwrap().to_be_bytes());
    bytes.extend(forward.to_be_bytes());
    bytes.extend(backward.to_be_bytes());
    for (value, key) in pairs {
        bytes.extend(value.to_be_bytes());
        bytes.extend(key.to_be_bytes());
    }
    bytes
}

/// A whole catalog: one facet per `(name, identifier)`, the renditions in key order.
pub(super) fn catalog(
    facets: &[(&str, u16)],
    renditions: &[Entry],
    leaf_capacity: usize,
) -> Vec<u8> {
    catalog_writer(facets, renditions, leaf_capacity).0.build()
}

/// Like [`catalog`], also returning the writer and the `RENDITIONS` leaves for tampering.
pub(super) fn catalog_writer(
    facets: &[(&str, u16)],
    renditions: &[Entry],
    leaf_capacity: usize,
) -> (BomWriter, Vec<u32>) {
    let mut bom = BomWriter::new();
    bom.add_variable("CARHEADER", b"RATC".to_vec());
    let mut key_format = b"tmfk".to_vec();
    key_format.extend(0u32.to_le_bytes());
    key_format.extend(u32::try_from(KEY_FORMAT.len()).unwrap().to_le_bytes());
    KEY_FORMAT
        .iter()
        .for_each(|&id| key_format.extend(u32::from(id).to_le_bytes()));
    bom.add_variable("KEYFORMAT", key_format);

    let facet_entries: Vec<_> = facets
        .iter()
        .map(|&(name, identifier)| (name.as_bytes().to_vec(), facet_value(identifier)))
        .collect();
    bom.add_tree("FACETKEYS", &facet_entries, leaf_capacity);
    let mut rendition_entries: Vec<_> = renditions
        .iter()
        .map(|r| (rendition_key(&r.key), r.value.clone()))
        .collect();
    rendition_entries.sort_by(|a, b| a.0.cmp(&b.0));
    let leaves = bom.add_tree("RENDITIONS", &rendition_entries, leaf_capacity);
    (bom, leaves)
}

/// `u16 hotspotX, u16 hotspotY, u16 count, {attribute, value}…` for an app icon facet.
fn facet_value(identifier: u16) -> Vec<u8> {
    let mut value = vec![0, 0, 0, 0];
    value.extend(3u16.to_le_bytes());
    for (attribute, value_of) in [(1u16, 85u16), (2, 220), (17, identifier)] {
        value.extend(attribute.to_le_bytes());
        value.extend(value_of.to_le_bytes());
    }
    value
}

fn rendition_key(pairs: &[(u16, u16)]) -> Vec<u8> {
    KEY_FORMAT
        .iter()
        .flat_map(|attribute| {
            let value = pairs
                .iter()
                .find(|(a, _)| a == attribute)
                .map_or(0, |&(_, v)| v);
            value.to_le_bytes()
        })
        .collect()
}

/// A CSI record to encode.
pub(super) struct CsiSpec {
    pub name: String,
    pub width: u32,
    pub height: u32,
    pub scale: u32,
    /// In reading order, e.g. `*b"ARGB"`.
    pub format: [u8; 4],
    pub layout: u16,
    pub tlvs: Vec<(u32, Vec<u8>)>,
    pub payload: Vec<u8>,
}

impl CsiSpec {
    /// A layout-12 bitmap rendition at scale 1.
    pub(super) fn image(
        name: &str,
        width: u32,
        height: u32,
        format: &[u8; 4],
        payload: Vec<u8>,
    ) -> Self {
        CsiSpec {
            name: name.to_owned(),
            width,
            height,
            scale: 100,
            format: *format,
            layout: 12,
            tlvs: Vec::new(),
            payload,
        }
    }

    pub(super) fn with_stride(mut self, stride: u32) -> Self {
        self.tlvs.push((1007, stride.to_le_bytes().to_vec()));
        self
    }

    pub(super) fn encode(&self) -> Vec<u8> {
        let mut bytes = b"ISTC".to_vec();
        let mut format = self.format;
        format.reverse();
        for field in [
            1,
            0,
            self.width,
            self.height,
            self.scale,
            u32::from_le_bytes(format),
            1,
            0,
        ] {
            bytes.extend(field.to_le_bytes());
        }
        bytes.extend(self.layout.to_le_bytes());
        bytes.extend(0u16.to_le_bytes());
        let mut name = self.name.as_bytes().to_vec();
        name.resize(128, 0);
        bytes.extend(name);
        let tlvs: Vec<u8> = self
            .tlvs
            .iter()
            .flat_map(|(tag, value)| {
                let mut tlv = tag.to_le_bytes().to_vec();
                tlv.extend(u32::try_from(value.len()).unwrap().to_le_bytes());
                tlv.extend(value);
                tlv
            })
            .collect();
        let payload_length = u32::try_from(self.payload.len()).unwrap();
        for field in [u32::try_from(tlvs.len()).unwrap(), 1, 0, payload_length] {
            bytes.extend(field.to_le_bytes());
        }
        bytes.extend(tlvs);
        bytes.extend(&self.payload);
        bytes
    }
}

/// `'MLEC', flags, compression, length, blob`, one unchunked blob.
pub(super) fn bitmap(compression: u32, blob: &[u8]) -> Vec<u8> {
    let mut bytes = b"MLEC".to_vec();
    for field in [0, compression, u32::try_from(blob.len()).unwrap()] {
        bytes.extend(field.to_le_bytes());
    }
    bytes.extend(blob);
    bytes
}

/// `'MLEC'` with the chunks-follow flag and one `'KCBC'` chunk per `(rows, blob)`.
pub(super) fn chunked_bitmap(compression: u32, chunks: &[(u32, Vec<u8>)]) -> Vec<u8> {
    let mut bytes = b"MLEC".to_vec();
    for field in [1, compression, u32::try_from(chunks.len()).unwrap()] {
        bytes.extend(field.to_le_bytes());
    }
    for (rows, blob) in chunks {
        bytes.extend(b"KCBC");
        for field in [0, 0, *rows, u32::try_from(blob.len()).unwrap()] {
            bytes.extend(field.to_le_bytes());
        }
        bytes.extend(blob);
    }
    bytes
}

/// `'DWAR', version 0, length, data`.
pub(super) fn raw_data(data: &[u8]) -> Vec<u8> {
    let mut bytes = b"DWAR".to_vec();
    bytes.extend(0u32.to_le_bytes());
    bytes.extend(u32::try_from(data.len()).unwrap().to_le_bytes());
    bytes.extend(data);
    bytes
}

/// TLV 1010 linking to the frame `(x, y, w, h)` (bottom-left origin) of the rendition
/// whose non-zero key attributes are `key`.
pub(super) fn internal_link_tlv(frame: [u32; 4], key: &[(u16, u16)]) -> (u32, Vec<u8>) {
    let mut bytes = b"KLNI".to_vec();
    bytes.extend(0u32.to_le_bytes());
    frame
        .iter()
        .for_each(|field| bytes.extend(field.to_le_bytes()));
    bytes.extend(12u16.to_le_bytes());
    bytes.extend(u32::try_from((key.len() + 1) * 4).unwrap().to_le_bytes());
    for (attribute, value) in key.iter().chain([&(0, 0)]) {
        bytes.extend(attribute.to_le_bytes());
        bytes.extend(value.to_le_bytes());
    }
    (1010, bytes)
}

/// Premultiplied B, G, R, A rows of a deterministic pattern with opaque and translucent
/// pixels, each row padded with zeros to `stride` bytes.
pub(super) fn bgra_rows(width: usize, height: usize, stride: usize) -> Vec<u8> {
    let mut rows = vec![0; height * stride];
    for y in 0..height {
        for x in 0..width {
            let alpha = if (x + y) % 3 == 0 { 128 } else { 255 };
            let pixel = [
                (x * 7 % 128) as u8,
                (y * 5 % 128) as u8,
                ((x + y) % 128) as u8,
                alpha,
            ];
            rows[y * stride + x * 4..][..4].copy_from_slice(&pixel);
        }
    }
    rows
}

/// An 8×8 grayscale baseline JPEG of one flat value: all quantisers 1, one DC code (the
/// category of `8 × (gray − 128)`) and one AC code (end of block).
pub(super) fn flat_gray_jpeg(gray: u8) -> Vec<u8> {
    let dc = 8 * (i32::from(gray) - 128);
    let category = 32 - dc.unsigned_abs().leading_zeros();
    // Negative DC values are stored as the one's complement of their magnitude.
    let extra = if dc < 0 { dc - 1 + (1 << category) } else { dc } as u32;
    let mut jpeg = vec![0xFF, 0xD8];
    jpeg.extend([0xFF, 0xDB, 0, 67, 0]);
    jpeg.extend([1u8; 64]);
    jpeg.extend([0xFF, 0xC0, 0, 11, 8, 0, 8, 0, 8, 1, 1, 0x11, 0]);
    for (class_and_id, symbol) in [(0x00, category as u8), (0x10, 0x00)] {
        jpeg.extend([0xFF, 0xC4, 0, 20, class_and_id, 1]);
        jpeg.extend([0u8; 15]);
        jpeg.push(symbol);
    }
    jpeg.extend([0xFF, 0xDA, 0, 8, 1, 1, 0x00, 0, 63, 0]);
    // Bits: DC code "0", `category` extra bits, AC end-of-block code "0", then 1-padding.
    let bit_count = 2 + category;
    let bits = (extra << 1) & ((1 << (1 + category)) - 1);
    let padded_length = bit_count.div_ceil(8) * 8;
    let scan = (u64::from(bits) << (padded_length - bit_count))
        | ((1u64 << (padded_length - bit_count)) - 1);
    for byte_index in (0..padded_length / 8).rev() {
        let byte = (scan >> (byte_index * 8)) as u8;
        jpeg.push(byte);
        if byte == 0xFF {
            jpeg.push(0); // byte stuffing
        }
    }
    jpeg.extend([0xFF, 0xD9]);
    jpeg
}
