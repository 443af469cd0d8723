//! The write-ahead log: accepted batches, one record each, synced before acknowledgement.
//!
//! Segments `wal/<first seq, 20 digits>.log` hold records `[len u32][crc32 u32][seq u64][payload]`
//! (little-endian; the CRC covers seq and payload). A new segment starts on every open and
//! when the active one grows past [`SEGMENT_BYTES`]; closed segments are deleted once every
//! point they hold is in a durable block. A torn record ends replay of its segment.

use std::fs::{File, OpenOptions};
use std::io::{Read, Write};
use std::path::{Path, PathBuf};

/// Size after which the active segment is closed.
pub const SEGMENT_BYTES: u64 = 64 << 20;

/// The log.
pub struct Wal {
    dir: PathBuf,
    active: File,
    active_start: u64,
    active_bytes: u64,
    /// Closed segments, oldest first: (first seq, path).
    closed: Vec<(u64, PathBuf)>,
    next_seq: u64,
    /// A failed append may have left a partial record: the next append starts a new segment
    /// (replay stops at a torn record, so nothing may follow one in its segment).
    torn: bool,
}

fn segment_path(dir: &Path, first_seq: u64) -> PathBuf {
    dir.join(format!("{first_seq:020}.log"))
}

fn create_segment(dir: &Path, first_seq: u64) -> std::io::Result<File> {
    let f = OpenOptions::new()
        .create(true)
        .append(true)
        .open(segment_path(dir, first_seq))?;
    // The new name must survive a crash: its seq is the log's high-water mark.
    File::open(dir)?.sync_all()?;
    Ok(f)
}

/// Reads the records of one segment; stops at the end or the first torn record.
fn read_segment(
    path: &Path,
    mut each: impl FnMut(u64, &[u8]) -> Result<(), String>,
) -> Result<Option<u64>, String> {
    let mut bytes = Vec::new();
    File::open(path)
        .and_then(|mut f| f.read_to_end(&mut bytes))
        .map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    let mut rest = &bytes[..];
    let mut last = None;
    while rest.len() >= 16 {
        let len = u32::from_le_bytes(rest[0..4].try_into().unwrap_or_default()) as usize;
        let crc = u32::from_le_bytes(rest[4..8].try_into().unwrap_or_default());
        let Some(body) = rest.get(8..16 + len) else {
            break;
        };
        if crc32fast::hash(body) != crc {
            tracing::warn!(segment = %path.display(), "torn write-ahead log record; replay stops here");
            break;
        }
        let seq = u64::from_le_bytes(body[0..8].try_into().unwrap_or_default());
        each(seq, &body[8..])?;
        last = Some(seq);
        rest = &rest[16 + len..];
    }
    Ok(last)
}

impl Wal {
    /// Opens the log in `dir`, handing every intact record to `each` in order.
    pub fn open(
        dir: &Path,
        mut each: impl FnMut(u64, &[u8]) -> Result<(), String>,
    ) -> Result<Wal, String> {
        std::fs::create_dir_all(dir)
            .map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
        let mut segments: Vec<(u64, PathBuf)> = std::fs::read_dir(dir)
            .map_err(|e| format!("cannot list {}: {e}", dir.display()))?
            .filter_map(|e| e.ok())
            .filter_map(|e| {
                let name = e.file_name().into_string().ok()?;
                let seq = name.strip_suffix(".log")?.parse::<u64>().ok()?;
                Some((seq, e.path()))
            })
            .collect();
        segments.sort();
        let mut next_seq = segments.last().map(|s| s.0).unwrap_or(1).max(1);
        for (_, path) in &segments {
            if let Some(last) = read_segment(path, &mut each)? {
                next_seq = next_seq.max(last + 1);
            }
        }
        let active = create_segment(dir, next_seq)
            .map_err(|e| format!("cannot create a log segment in {}: {e}", dir.display()))?;
        // An empty segment left by the previous run has the same name: keep it only once.
        segments.retain(|(s, _)| *s != next_seq);
        Ok(Wal {
            dir: dir.to_path_buf(),
            active,
            active_start: next_seq,
            active_bytes: 0,
            closed: segments,
            next_seq,
            torn: false,
        })
    }

    /// Appends `payload` as the next record and syncs it; returns its seq.
    pub fn append(&mut self, payload: &[u8]) -> std::io::Result<u64> {
        if self.torn {
            // Skip the failed record's seq: the new segment's name must differ from the torn
            // one's even when that one held nothing else.
            self.next_seq = self.next_seq.max(self.active_start) + 1;
            self.rotate()?;
            self.torn = false;
        }
        let seq = self.next_seq;
        let mut rec = Vec::with_capacity(16 + payload.len());
        rec.extend_from_slice(&(payload.len() as u32).to_le_bytes());
        rec.extend_from_slice(&[0; 4]);
        rec.extend_from_slice(&seq.to_le_bytes());
        rec.extend_from_slice(payload);
        let crc = crc32fast::hash(&rec[8..]);
        rec[4..8].copy_from_slice(&crc.to_le_bytes());
        if let Err(e) = self
            .active
            .write_all(&rec)
            .and_then(|()| self.active.sync_data())
        {
            self.torn = true;
            return Err(e);
        }
        self.next_seq += 1;
        self.active_bytes += rec.len() as u64;
        Ok(seq)
    }

    /// Whether the active segment is full.
    pub fn wants_rotation(&self) -> bool {
        self.active_bytes >= SEGMENT_BYTES
    }

    /// Closes the active segment and starts a new one.
    pub fn rotate(&mut self) -> std::io::Result<()> {
        let file = create_segment(&self.dir, self.next_seq)?;
        let old = std::mem::replace(&mut self.active, file);
        drop(old);
        self.closed.push((
            self.active_start,
            segment_path(&self.dir, self.active_start),
        ));
        self.active_start = self.next_seq;
        self.active_bytes = 0;
        Ok(())
    }

    /// First seq of the active segment.
    pub fn active_start(&self) -> u64 {
        self.active_start
    }

    /// The seq the next record gets.
    pub fn next_seq(&self) -> u64 {
        self.next_seq
    }

    /// Number of closed segments still kept.
    pub fn closed_count(&self) -> usize {
        self.closed.len()
    }

    /// Whether [`Wal::drop_before`] with `low` would delete a segment.
    pub fn droppable(&self, low: u64) -> bool {
        let second = self.closed.get(1).map_or(self.active_start, |s| s.0);
        !self.closed.is_empty() && second <= low
    }

    /// Deletes closed segments holding only records before `low` (the caller made them durable
    /// elsewhere first).
    pub fn drop_before(&mut self, low: u64) -> std::io::Result<()> {
        let mut keep = Vec::new();
        let starts: Vec<u64> = self
            .closed
            .iter()
            .map(|s| s.0)
            .skip(1)
            .chain([self.active_start])
            .collect();
        for ((first, path), next_start) in std::mem::take(&mut self.closed).into_iter().zip(starts)
        {
            if next_start <= low {
                std::fs::remove_file(&path).or_else(|e| {
                    if e.kind() == std::io::ErrorKind::NotFound {
                        Ok(())
                    } else {
                        Err(e)
                    }
                })?;
            } else {
                keep.push((first, path));
            }
        }
        self.closed = keep;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn records(dir: &Path) -> Vec<(u64, Vec<u8>)> {
        let mut out = Vec::new();
        let wal = Wal::open(dir, |seq, p| {
            out.push((seq, p.to_vec()));
            Ok(())
        })
        .unwrap();
        drop(wal);
        out
    }

    #[test]
    fn append_replay_rotate_and_drop() {
        let dir = tempfile::tempdir().unwrap();
        let mut wal = Wal::open(dir.path(), |_, _| Ok(())).unwrap();
        assert_eq!(wal.append(b"a").unwrap(), 1);
        wal.rotate().unwrap();
        assert_eq!(wal.append(b"b").unwrap(), 2);
        assert_eq!(wal.closed_count(), 1);
        drop(wal);
        let got = records(dir.path());
        assert_eq!(got, vec![(1, b"a".to_vec()), (2, b"b".to_vec())]);
        let mut wal = Wal::open(dir.path(), |_, _| Ok(())).unwrap();
        assert_eq!(wal.next_seq(), 3);
        // Everything before seq 3 is elsewhere: only the active segment stays.
        wal.drop_before(3).unwrap();
        assert_eq!(wal.closed_count(), 0);
        drop(wal);
        assert!(records(dir.path()).is_empty());
        // The high-water mark survives in the active segment's name.
        let mut wal = Wal::open(dir.path(), |_, _| Ok(())).unwrap();
        assert_eq!(wal.append(b"c").unwrap(), 3);
    }

    #[test]
    fn a_failed_append_moves_on_to_a_new_segment() {
        let dir = tempfile::tempdir().unwrap();
        let mut wal = Wal::open(dir.path(), |_, _| Ok(())).unwrap();
        wal.append(b"a").unwrap();
        // What a failed write leaves: a partial record at the end of the segment.
        wal.active.write_all(&[9, 0, 0, 0, 1]).unwrap();
        wal.torn = true;
        let seq = wal.append(b"b").unwrap();
        assert!(seq > 1);
        drop(wal);
        let got: Vec<Vec<u8>> = records(dir.path()).into_iter().map(|r| r.1).collect();
        assert_eq!(got, vec![b"a".to_vec(), b"b".to_vec()]);
    }
}
