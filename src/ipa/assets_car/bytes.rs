//! Bounds-checked reads from untrusted bytes.
//!
//! The BOM layer is big-endian and the CoreUI layer little-endian (xcbuild `bom_format.h`,
//! `car_format.h`), so the cursor offers both byte orders.

use super::CarError;

/// A read position in a byte slice; every read fails with [`CarError::Truncated`] naming
/// `what` instead of reading past the end.
pub(super) struct Cursor<'a> {
    data: &'a [u8],
    position: usize,
    what: &'static str,
}

impl<'a> Cursor<'a> {
    pub(super) fn new(data: &'a [u8], what: &'static str) -> Self {
        Cursor {
            data,
            position: 0,
            what,
        }
    }

    /// A cursor over `data[offset..]`.
    pub(super) fn at(data: &'a [u8], offset: usize, what: &'static str) -> Result<Self, CarError> {
        let rest = data.get(offset..).ok_or(CarError::Truncated { what })?;
        Ok(Cursor::new(rest, what))
    }

    pub(super) fn take(&mut self, len: usize) -> Result<&'a [u8], CarError> {
        let bytes = self
            .position
            .checked_add(len)
            .and_then(|end| self.data.get(self.position..end))
            .ok_or(CarError::Truncated { what: self.what })?;
        self.position += len;
        Ok(bytes)
    }

    pub(super) fn take_array<const N: usize>(&mut self) -> Result<[u8; N], CarError> {
        let mut array = [0; N];
        array.copy_from_slice(self.take(N)?);
        Ok(array)
    }

    pub(super) fn skip(&mut self, len: usize) -> Result<(), CarError> {
        self.take(len).map(|_| ())
    }

    /// Everything not read yet.
    pub(super) fn rest(&self) -> &'a [u8] {
        self.data.get(self.position..).unwrap_or_default()
    }

    pub(super) fn is_empty(&self) -> bool {
        self.rest().is_empty()
    }

    /// Fails with [`CarError::BadSignature`] unless the next bytes are `signature`.
    pub(super) fn expect_signature(&mut self, signature: &'static str) -> Result<(), CarError> {
        if self.take(signature.len())? == signature.as_bytes() {
            Ok(())
        } else {
            Err(CarError::BadSignature {
                what: self.what,
                expected: signature,
            })
        }
    }

    pub(super) fn u8(&mut self) -> Result<u8, CarError> {
        Ok(self.take_array::<1>()?[0])
    }

    pub(super) fn u16_be(&mut self) -> Result<u16, CarError> {
        self.take_array().map(u16::from_be_bytes)
    }

    pub(super) fn u32_be(&mut self) -> Result<u32, CarError> {
        self.take_array().map(u32::from_be_bytes)
    }

    pub(super) fn u16_le(&mut self) -> Result<u16, CarError> {
        self.take_array().map(u16::from_le_bytes)
    }

    pub(super) fn u32_le(&mut self) -> Result<u32, CarError> {
        self.take_array().map(u32::from_le_bytes)
    }
}

/// `value` as a `usize`, which holds every `u32` on the platforms this crate builds for.
pub(super) fn to_usize(value: u32) -> usize {
    usize::try_from(value).unwrap_or(usize::MAX)
}
