//! Text encodings of CSV files: detected from a prefix, never assumed. Agencies export UTF-8,
//! UTF-8 with a BOM (Excel's "CSV UTF-8"), and GBK/GB18030 (Excel's plain "CSV" on a Chinese
//! Windows). The decoder streams: it never holds more than a buffer of the file.

use std::io::{self, Read};

use chardetng::EncodingDetector;
use encoding_rs::{DecoderResult, Encoding, UTF_8};

/// How many bytes the detector looks at.
pub(crate) const PREFIX_BYTES: usize = 64 * 1024;

/// The encoding of a text file from its first bytes, and the length of its BOM (0 if none).
///
/// A BOM wins; then a prefix that is valid UTF-8 (allowing a character cut at the end of the
/// prefix) is UTF-8; otherwise `chardetng` guesses, told that the file comes from a `.cn`
/// source, which makes it prefer GBK among the legacy CJK encodings.
pub(crate) fn detect(prefix: &[u8], complete: bool) -> (&'static Encoding, usize) {
    if let Some((encoding, bom)) = Encoding::for_bom(prefix) {
        return (encoding, bom);
    }
    match std::str::from_utf8(prefix) {
        Ok(_) => return (UTF_8, 0),
        Err(e) if e.error_len().is_none() && !complete => return (UTF_8, 0),
        Err(_) => {}
    }
    let mut detector = EncodingDetector::new();
    detector.feed(prefix, complete);
    (detector.guess(Some(b"cn"), false), 0)
}

/// A byte offset in the source where the text is not valid in its encoding.
#[derive(Debug, thiserror::Error)]
#[error("bytes at offset {offset} are not valid {encoding}")]
pub(crate) struct Malformed {
    pub(crate) encoding: &'static str,
    pub(crate) offset: u64,
}

/// Reads text in `encoding` from `inner` and yields it as UTF-8. Malformed input is an error
/// (`io::ErrorKind::InvalidData` carrying [`Malformed`]), never a silent U+FFFD: a wrong guess
/// must not quietly corrupt names.
pub(crate) struct DecodingReader<R> {
    inner: R,
    encoding: &'static Encoding,
    decoder: encoding_rs::Decoder,
    input: Vec<u8>,
    start: usize,
    end: usize,
    consumed: u64,
    eof: bool,
    output: Vec<u8>,
    out_start: usize,
    out_end: usize,
    done: bool,
}

impl<R: Read> DecodingReader<R> {
    /// `inner` must start after any BOM.
    pub(crate) fn new(inner: R, encoding: &'static Encoding, bom: usize) -> Self {
        Self {
            inner,
            encoding,
            decoder: encoding.new_decoder_without_bom_handling(),
            input: vec![0; 64 * 1024],
            start: 0,
            end: 0,
            consumed: bom as u64,
            eof: false,
            output: vec![0; 3 * 64 * 1024 + 16],
            out_start: 0,
            out_end: 0,
            done: false,
        }
    }

    fn fill(&mut self) -> io::Result<()> {
        while !self.done && self.out_start == self.out_end {
            if self.start == self.end && !self.eof {
                self.start = 0;
                self.end = loop {
                    match self.inner.read(&mut self.input) {
                        Ok(n) => break n,
                        Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                        Err(e) => return Err(e),
                    }
                };
                self.eof = self.end == 0;
            }
            let (result, read, written) = self.decoder.decode_to_utf8_without_replacement(
                &self.input[self.start..self.end],
                &mut self.output,
                self.eof,
            );
            self.start += read;
            self.consumed += read as u64;
            self.out_start = 0;
            self.out_end = written;
            match result {
                DecoderResult::InputEmpty => self.done = self.eof,
                DecoderResult::OutputFull => {}
                DecoderResult::Malformed(bad, after) => {
                    return Err(io::Error::new(
                        io::ErrorKind::InvalidData,
                        Malformed {
                            encoding: self.encoding.name(),
                            offset: self.consumed - u64::from(bad) - u64::from(after),
                        },
                    ));
                }
            }
        }
        Ok(())
    }
}

impl<R: Read> Read for DecodingReader<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        self.fill()?;
        let n = buf.len().min(self.out_end - self.out_start);
        buf[..n].copy_from_slice(&self.output[self.out_start..self.out_start + n]);
        self.out_start += n;
        Ok(n)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use encoding_rs::{GB18030, GBK, UTF_16LE};

    fn decode_all(bytes: &[u8]) -> io::Result<String> {
        let (encoding, bom) = detect(
            &bytes[..bytes.len().min(PREFIX_BYTES)],
            bytes.len() <= PREFIX_BYTES,
        );
        let mut text = String::new();
        DecodingReader::new(&bytes[bom..], encoding, bom).read_to_string(&mut text)?;
        Ok(text)
    }

    // Issue 4 item 1: encodings are detected, not assumed.
    #[test]
    fn utf8_with_and_without_bom() {
        assert_eq!(detect("姓名,年龄\n".as_bytes(), true), (UTF_8, 0));
        assert_eq!(detect(b"\xEF\xBB\xBFname\n", true), (UTF_8, 3));
        assert_eq!(detect(b"ascii only\n", true), (UTF_8, 0));
        // A prefix that cuts a character in half is still UTF-8.
        let text = "张三".as_bytes();
        assert_eq!(detect(&text[..4], false), (UTF_8, 0));
    }

    #[test]
    fn gbk_is_detected_and_decodes_exactly() {
        let text = "姓名,身份证号,地址\n张三,11010519491231002X,北京市东城区东华门街道\n李四,,上海市浦东新区\n";
        let (bytes, _, _) = GBK.encode(text);
        let (encoding, bom) = detect(&bytes, true);
        assert!(
            encoding == GBK || encoding == GB18030,
            "{}",
            encoding.name()
        );
        assert_eq!(bom, 0);
        assert_eq!(decode_all(&bytes).unwrap(), text);
    }

    #[test]
    fn utf16_with_bom_decodes() {
        let mut bytes = vec![0xFF, 0xFE];
        for unit in "名称\t值\n".encode_utf16() {
            bytes.extend_from_slice(&unit.to_le_bytes());
        }
        assert_eq!(detect(&bytes, true).0, UTF_16LE);
        assert_eq!(decode_all(&bytes).unwrap(), "名称\t值\n");
    }

    #[test]
    fn malformed_bytes_are_an_error_with_their_offset() {
        let mut bytes = GBK.encode("张三,李四\n").0.into_owned();
        bytes.extend_from_slice(b"ab\x81");
        let mut text = String::new();
        let err = DecodingReader::new(&bytes[..], GBK, 0)
            .read_to_string(&mut text)
            .unwrap_err();
        let malformed = err.get_ref().unwrap().downcast_ref::<Malformed>().unwrap();
        assert_eq!(malformed.offset, 12);
    }

    #[test]
    fn long_input_streams_across_buffers() {
        let line = "王小明,江苏省南京市玄武区\n";
        let text = line.repeat(20_000);
        let (bytes, _, _) = GB18030.encode(&text);
        let mut out = String::new();
        DecodingReader::new(&bytes[..], GB18030, 0)
            .read_to_string(&mut out)
            .unwrap();
        assert_eq!(out, text);
    }
}
