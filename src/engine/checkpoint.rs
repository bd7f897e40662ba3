//! A checkpoint says which parts of an upload are done, in ali-oss's shape. It is advice, not
//! truth: before resuming, the parts the server lists decide what is kept.

use crate::protocol::crc64;
use crate::protocol::messages::ListedPart;

use super::plan::Plan;

/// A part the server holds: its ETag, and its CRC64 when known (from our own hashing, checked
/// against the server's, or from the server's part list when resuming).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DonePart {
    pub etag: String,
    pub crc64: Option<u64>,
}

/// The parts done, by number, kept in order. A sorted Vec rather than a BTreeMap: parts
/// arrive nearly in order, there are 10 000 at most, and a BTreeMap costs ~20 KB of wasm.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct DoneParts(Vec<(u32, DonePart)>);

impl DoneParts {
    /// Adds part `number`, replacing what was known of it.
    pub fn insert(&mut self, number: u32, part: DonePart) {
        match self.0.binary_search_by_key(&number, |(n, _)| *n) {
            Ok(i) => self.0[i].1 = part,
            Err(i) => self.0.insert(i, (number, part)),
        }
    }

    pub fn get(&self, number: u32) -> Option<&DonePart> {
        let i = self.0.binary_search_by_key(&number, |(n, _)| *n).ok()?;
        Some(&self.0[i].1)
    }

    pub fn contains(&self, number: u32) -> bool {
        self.get(number).is_some()
    }

    pub fn len(&self) -> usize {
        self.0.len()
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// `(number, part)` in ascending order of number.
    pub fn iter(&self) -> impl Iterator<Item = (u32, &DonePart)> {
        self.0.iter().map(|(n, p)| (*n, p))
    }

    pub fn numbers(&self) -> impl Iterator<Item = u32> + '_ {
        self.0.iter().map(|(n, _)| *n)
    }
}

impl FromIterator<(u32, DonePart)> for DoneParts {
    fn from_iter<I: IntoIterator<Item = (u32, DonePart)>>(items: I) -> Self {
        let mut done = DoneParts::default();
        for (n, part) in items {
            done.insert(n, part);
        }
        done
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Checkpoint {
    pub name: String,
    pub file_size: u64,
    pub part_size: u64,
    pub upload_id: String,
    pub done: DoneParts,
}

impl Checkpoint {
    /// Bytes of the file the done parts cover.
    pub fn bytes_done(&self, plan: &Plan) -> u64 {
        self.done.numbers().map(|n| plan.part(n).1).sum()
    }

    /// The whole object's CRC64 from its parts', if every part's is known.
    pub fn combined_crc64(&self, plan: &Plan) -> Option<u64> {
        (1..=plan.count()).try_fold(0u64, |acc, n| {
            let crc = self.done.get(n)?.crc64?;
            Some(crc64::combine(acc, crc, plan.part(n).1))
        })
    }

    /// Whether this checkpoint can continue uploading `name` of `size` bytes.
    pub fn fits(&self, name: &str, size: u64) -> Result<(), String> {
        if self.name != name {
            return Err(format!(
                "the checkpoint is for object {:?}, not {name:?}",
                self.name
            ));
        }
        if self.file_size != size {
            return Err(format!(
                "the checkpoint is for a file of {} bytes, this one has {size}: pick the same file again",
                self.file_size
            ));
        }
        if self.upload_id.is_empty() {
            return Err("the checkpoint has no uploadId".into());
        }
        Ok(())
    }
}

/// The parts of `plan` that the server holds at the right size: those are done, whatever a
/// checkpoint claimed. Parts the checkpoint lists but the server lacks are sent again.
pub fn reconcile(plan: &Plan, listed: &[ListedPart]) -> DoneParts {
    let mut done = DoneParts::default();
    for p in listed {
        if p.number >= 1 && p.number <= plan.count() && p.size == plan.part(p.number).1 {
            let part = DonePart {
                etag: p.etag.clone(),
                crc64: p.crc64,
            };
            done.insert(p.number, part);
        }
    }
    done
}

#[cfg(test)]
mod tests {
    use super::*;

    fn listed(number: u32, size: u64) -> ListedPart {
        ListedPart {
            number,
            etag: format!("\"E{number}\""),
            size,
            crc64: Some(u64::from(number)),
        }
    }

    #[test]
    fn combines_part_crcs_into_the_object_crc() {
        let data: Vec<u8> = (0..250 * 1024).map(|i| (i % 251) as u8).collect();
        let plan = Plan::new(data.len() as u64, Some(100.0 * 1024.0)).unwrap();
        let done = (1..=plan.count())
            .map(|n| {
                let (offset, len) = plan.part(n);
                let slice = &data[offset as usize..(offset + len) as usize];
                let part = DonePart {
                    etag: String::new(),
                    crc64: Some(crc64::checksum(slice)),
                };
                (n, part)
            })
            .collect();
        let cp = Checkpoint {
            name: "k".into(),
            file_size: plan.size,
            part_size: plan.part_size,
            upload_id: "U".into(),
            done,
        };
        assert_eq!(cp.combined_crc64(&plan), Some(crc64::checksum(&data)));
    }

    #[test]
    fn the_server_decides_what_is_done() {
        let plan = Plan::new(250 * 1024, Some(100.0 * 1024.0)).unwrap();
        let server = [
            listed(1, 100 * 1024),
            listed(2, 99 * 1024), // a short write: not done
            listed(3, 50 * 1024),
            listed(4, 1), // beyond the plan
        ];
        let done = reconcile(&plan, &server);
        assert_eq!(done.numbers().collect::<Vec<_>>(), [1, 3]);
        let cp = Checkpoint {
            name: "k".into(),
            file_size: plan.size,
            part_size: plan.part_size,
            upload_id: "U".into(),
            done,
        };
        assert_eq!(cp.bytes_done(&plan), 150 * 1024);
        // Part 2 is missing, so the whole object's CRC is not known yet.
        assert_eq!(cp.combined_crc64(&plan), None);
        assert!(cp.fits("k", plan.size).is_ok());
        assert!(cp.fits("other", plan.size).is_err());
        assert!(cp.fits("k", 1).is_err());
    }
}
