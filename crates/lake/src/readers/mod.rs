//! One reader per source format. Each finds the header (or its equivalent), maps it to the
//! items, then feeds the shared [`Pipeline`] one row at a time.

pub(crate) mod csv;
pub(crate) mod json;
pub(crate) mod parquet;
pub(crate) mod xlsx;

use std::cell::RefCell;
use std::io::{self, Cursor, Read, Seek, Write};
use std::path::Path;
use std::rc::Rc;
use std::sync::mpsc::SyncSender;

use crate::error::IngestError;
use crate::pipeline::{Pipeline, Settings};
use crate::report::{Progress, Warning};
use crate::schema::ItemSpec;
use crate::tap::{SourceTap, TapState};
use crate::writer::Message;

/// The source: the prefix already read for sniffing, and the rest behind the tap.
pub(crate) struct Input<R> {
    pub(crate) prefix: Vec<u8>,
    /// The prefix is the whole source.
    pub(crate) complete: bool,
    pub(crate) rest: SourceTap<R>,
}

impl<R: Read> Input<R> {
    /// The whole source again, from its first byte (`skip` bytes of the prefix left out).
    pub(crate) fn into_reader(self, skip: usize) -> io::Chain<Cursor<Vec<u8>>, SourceTap<R>> {
        let mut prefix = Cursor::new(self.prefix);
        prefix.set_position(skip as u64);
        prefix.chain(self.rest)
    }

    /// Copies the source to an anonymous temporary file, for formats that need to seek.
    pub(crate) fn spool(self, temp_dir: Option<&Path>) -> Result<std::fs::File, IngestError> {
        let mut file = match temp_dir {
            Some(dir) => tempfile::tempfile_in(dir),
            None => tempfile::tempfile(),
        }
        .map_err(IngestError::Io)?;
        io::copy(&mut self.into_reader(0), &mut file).map_err(IngestError::reading)?;
        file.rewind().map_err(IngestError::Io)?;
        Ok(file)
    }
}

/// Everything a reader needs to start the pipeline once it knows the header.
pub(crate) struct Start<'a, J> {
    pub(crate) items: &'a [ItemSpec],
    pub(crate) settings: Settings,
    pub(crate) writer: SyncSender<Message>,
    pub(crate) rejects: J,
    pub(crate) progress: &'a mut dyn FnMut(Progress),
    pub(crate) tap: Rc<RefCell<TapState>>,
}

impl<'a, J: Write> Start<'a, J> {
    pub(crate) fn pipeline(
        self,
        headers: Vec<Option<String>>,
        warnings: Vec<Warning>,
    ) -> Pipeline<'a, J> {
        Pipeline::new(
            self.items,
            headers,
            warnings,
            self.settings,
            self.writer,
            self.rejects,
            self.progress,
            self.tap,
        )
    }
}
