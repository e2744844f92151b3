//! CRC-32 used by the framing: the IEEE 802.3 / zlib polynomial (reflected 0xEDB88320),
//! initial value and final xor 0xFFFFFFFF. The firmware computes the same function bit by
//! bit in `ad_rpc_crc32_update`.

const CRC32: crc::Crc<u32> = crc::Crc::<u32>::new(&crc::CRC_32_ISO_HDLC);

/// CRC-32 of `data`.
pub fn crc32(data: &[u8]) -> u32 {
    CRC32.checksum(data)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn check_value() {
        // The standard check value of CRC-32/ISO-HDLC.
        assert_eq!(crc32(b"123456789"), 0xCBF4_3926);
        assert_eq!(crc32(b""), 0);
    }
}
