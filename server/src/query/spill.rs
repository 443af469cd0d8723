//! Points of the groups a time/value/bin group-by makes, kept in memory up to a budget and
//! spilled to temporary files beyond it, so a large regrouped query never holds all its points
//! (Java writes every group to a temporary file; GB/Group.java).

use std::fs::File;
use std::io::{BufReader, BufWriter, Read, Seek, SeekFrom, Write};

use plugin_api::{DataPoint, Value};

/// Points held in memory across all groups before everything is spilled.
const MEMORY_BUDGET: usize = 1 << 20;

/// One group's points: a spilled prefix in a file, then the in-memory tail.
#[derive(Default)]
struct Group {
    file: Option<BufWriter<File>>,
    spilled: u64,
    memory: Vec<DataPoint>,
}

/// The groups of one regrouped input group, in order of first appearance.
#[derive(Default)]
pub struct SpillSet {
    groups: Vec<Group>,
    in_memory: usize,
}

impl SpillSet {
    /// Adds a new, empty group; returns its index.
    pub fn add_group(&mut self) -> usize {
        self.groups.push(Group::default());
        self.groups.len() - 1
    }

    /// Appends a point to group `slot`, spilling every group once memory is over budget.
    pub fn push(&mut self, slot: usize, p: DataPoint) -> std::io::Result<()> {
        self.groups[slot].memory.push(p);
        self.in_memory += 1;
        if self.in_memory >= MEMORY_BUDGET {
            for g in &mut self.groups {
                if g.memory.is_empty() {
                    continue;
                }
                let file = match &mut g.file {
                    Some(f) => f,
                    None => g.file.insert(BufWriter::new(tempfile::tempfile()?)),
                };
                for p in g.memory.drain(..) {
                    encode(&p, file)?;
                    g.spilled += 1;
                }
            }
            self.in_memory = 0;
        }
        Ok(())
    }

    /// Consumes the set, yielding each group's points in insertion order through a reader.
    pub fn into_readers(self) -> impl Iterator<Item = std::io::Result<GroupReader>> {
        self.groups.into_iter().map(|g| {
            let file = match g.file {
                Some(w) => {
                    let mut f = w.into_inner().map_err(|e| e.into_error())?;
                    f.seek(SeekFrom::Start(0))?;
                    Some(BufReader::new(f))
                }
                None => None,
            };
            Ok(GroupReader {
                file,
                left_in_file: g.spilled,
                memory: Some(g.memory),
            })
        })
    }
}

/// Reads back one group.
pub struct GroupReader {
    file: Option<BufReader<File>>,
    left_in_file: u64,
    memory: Option<Vec<DataPoint>>,
}

impl GroupReader {
    /// Appends up to `max` points; false once the group is exhausted.
    pub fn next_batch(&mut self, out: &mut Vec<DataPoint>, max: usize) -> std::io::Result<bool> {
        if let Some(file) = &mut self.file {
            let mut n = 0;
            while self.left_in_file > 0 && n < max {
                out.push(decode(file)?);
                self.left_in_file -= 1;
                n += 1;
            }
            if self.left_in_file == 0 {
                self.file = None;
            }
            if n > 0 {
                return Ok(true);
            }
        }
        match self.memory.take() {
            Some(m) if !m.is_empty() => {
                out.extend(m);
                Ok(true)
            }
            _ => Ok(false),
        }
    }
}

pub(super) fn encode(p: &DataPoint, w: &mut impl Write) -> std::io::Result<()> {
    w.write_all(&p.timestamp.to_le_bytes())?;
    match &p.value {
        Value::Long(v) => {
            w.write_all(&[0])?;
            w.write_all(&v.to_le_bytes())
        }
        Value::Double(v) => {
            w.write_all(&[1])?;
            w.write_all(&v.to_bits().to_le_bytes())
        }
        Value::Text(s) => {
            w.write_all(&[2])?;
            w.write_all(&(s.len() as u64).to_le_bytes())?;
            w.write_all(s.as_bytes())
        }
        Value::Null => w.write_all(&[3]),
    }
}

fn read_u64(r: &mut impl Read) -> std::io::Result<u64> {
    let mut b = [0u8; 8];
    r.read_exact(&mut b)?;
    Ok(u64::from_le_bytes(b))
}

pub(super) fn decode(r: &mut impl Read) -> std::io::Result<DataPoint> {
    let timestamp = read_u64(r)? as i64;
    let mut kind = [0u8; 1];
    r.read_exact(&mut kind)?;
    let value = match kind[0] {
        0 => Value::Long(read_u64(r)? as i64),
        1 => Value::Double(f64::from_bits(read_u64(r)?)),
        2 => {
            let len = read_u64(r)? as usize;
            let mut bytes = vec![0u8; len];
            r.read_exact(&mut bytes)?;
            Value::Text(
                String::from_utf8(bytes)
                    .map_err(|e| std::io::Error::new(std::io::ErrorKind::InvalidData, e))?,
            )
        }
        3 => Value::Null,
        _ => {
            return Err(std::io::Error::new(
                std::io::ErrorKind::InvalidData,
                "bad spill record",
            ))
        }
    };
    Ok(DataPoint { timestamp, value })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn drain(r: &mut GroupReader) -> Vec<DataPoint> {
        let mut out = Vec::new();
        while r.next_batch(&mut out, 1000).unwrap() {}
        out
    }

    #[test]
    fn spills_past_the_budget_and_reads_back_in_order() {
        let mut set = SpillSet::default();
        let (a, b) = (set.add_group(), set.add_group());
        let n = MEMORY_BUDGET + 10;
        for i in 0..n as i64 {
            let value = match i % 4 {
                0 => Value::Long(i),
                1 => Value::Double(i as f64 + 0.5),
                2 => Value::Text(format!("t{i}")),
                _ => Value::Null,
            };
            set.push(
                if i % 3 == 0 { a } else { b },
                DataPoint {
                    timestamp: i,
                    value,
                },
            )
            .unwrap();
        }
        assert!(set.groups[a].spilled > 0 && set.groups[b].spilled > 0);
        let mut readers: Vec<GroupReader> = set.into_readers().map(|r| r.unwrap()).collect();
        let ga = drain(&mut readers[0]);
        let gb = drain(&mut readers[1]);
        assert_eq!(ga.len() + gb.len(), n);
        assert!(ga.iter().all(|p| p.timestamp % 3 == 0));
        assert!(ga.windows(2).all(|w| w[0].timestamp < w[1].timestamp));
        assert!(gb.windows(2).all(|w| w[0].timestamp < w[1].timestamp));
        assert_eq!(
            gb[1],
            DataPoint {
                timestamp: 2,
                value: Value::Text("t2".into())
            }
        );
        assert_eq!(
            gb[2],
            DataPoint {
                timestamp: 4,
                value: Value::Long(4)
            }
        );
        assert_eq!(
            ga[1],
            DataPoint {
                timestamp: 3,
                value: Value::Null
            }
        );
    }

    #[test]
    fn small_groups_stay_in_memory() {
        let mut set = SpillSet::default();
        let a = set.add_group();
        set.push(a, DataPoint::long(1, 1)).unwrap();
        let mut r: Vec<GroupReader> = set.into_readers().map(|r| r.unwrap()).collect();
        assert_eq!(drain(&mut r[0]), vec![DataPoint::long(1, 1)]);
    }
}
