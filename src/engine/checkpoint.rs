//! A checkpoint says which parts of an upload are done, in ali-oss's shape. It is advice, not
//! truth: before resuming, the parts the server lists decide what is kept (`reconcile`).

use super::error::Error;
use super::plan::Plan;
use crate::protocol::crc64;
use crate::protocol::messages::ListedPart;
use crate::text::{self, int};

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DonePart {
    pub etag: String,
    /// Known from our own hashing checked against OSS's, or from the server's part list.
    pub crc64: Option<u64>,
}

/// Done parts by number, kept sorted: parts finish roughly in order, so an insert is
/// usually at the end.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct DoneParts(Vec<(u32, DonePart)>);

impl DoneParts {
    fn find(&self, n: u32) -> Result<usize, usize> {
        self.0.binary_search_by(|(k, _)| k.cmp(&n))
    }

    pub fn insert(&mut self, n: u32, part: DonePart) {
        match self.find(n) {
            Ok(i) => self.0[i].1 = part,
            Err(i) => self.0.insert(i, (n, part)),
        }
    }

    pub fn get(&self, n: u32) -> Option<&DonePart> {
        self.find(n).ok().map(|i| &self.0[i].1)
    }

    pub fn contains(&self, n: u32) -> bool {
        self.find(n).is_ok()
    }

    pub fn len(&self) -> usize {
        self.0.len()
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// The highest part number done.
    pub fn last(&self) -> Option<u32> {
        self.0.last().map(|(n, _)| *n)
    }

    /// In part-number order.
    pub fn iter(&self) -> impl Iterator<Item = &(u32, DonePart)> {
        self.0.iter()
    }
}

impl FromIterator<(u32, DonePart)> for DoneParts {
    fn from_iter<I: IntoIterator<Item = (u32, DonePart)>>(iter: I) -> Self {
        let mut d = DoneParts::default();
        for (n, p) in iter {
            d.insert(n, p);
        }
        d
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Checkpoint {
    pub name: String,
    /// The file's size and where its parts lie (ali-oss's `fileSize` and `partSize`, and
    /// where the part size changed).
    pub plan: Plan,
    pub upload_id: String,
    pub done: DoneParts,
}

impl Checkpoint {
    /// Whether this checkpoint can continue uploading `name` of `size` bytes.
    pub fn check_fits(&self, name: &str, size: u64) -> Result<(), Error> {
        if self.name != name {
            return Err(Error::argument(text::fill(
                "the checkpoint is for object \"{}\", not \"{}\"",
                &[&self.name, name],
            )));
        }
        if self.plan.size != size {
            return Err(Error::argument(text::fill(
                "the checkpoint is for a file of {} bytes, not {}: pick the same file",
                &[&int(self.plan.size), &int(size)],
            )));
        }
        if self.upload_id.is_empty() {
            return Err(Error::argument("the checkpoint has no uploadId"));
        }
        Ok(())
    }
}

/// Bytes of `plan` in the done parts.
pub fn bytes_done(plan: &Plan, done: &DoneParts) -> u64 {
    done.iter()
        .filter(|(n, _)| *n >= 1 && *n <= plan.count())
        .map(|(n, _)| plan.part(*n).1)
        .sum()
}

/// The parts of the plan that the server holds at the right size: those are done, whatever
/// the checkpoint `claimed`. Where the part size follows the link, a part of some number may
/// have been cut elsewhere by another run (after the last part a checkpoint claims, or by an
/// earlier run whose late requests can still land, at the same size and other bytes): there
/// only a part the checkpoint claims, with the ETag it saved, is where this plan says; the
/// rest are sent again, at most the parts that were in flight.
pub fn reconcile(plan: &Plan, claimed: &DoneParts, listed: &[ListedPart]) -> DoneParts {
    let mut done = DoneParts::default();
    for p in listed {
        let fits = p.number >= 1 && p.number <= plan.count() && p.size == plan.part(p.number).1;
        let vouched = !plan.follows_link
            || claimed
                .get(p.number)
                .is_some_and(|c| same_etag(&c.etag, &p.etag));
        if fits && vouched {
            let part = DonePart {
                etag: p.etag.clone(),
                crc64: p.crc64,
            };
            done.insert(p.number, part);
        }
    }
    done
}

/// ETags as OSS writes them, in quotes, hex in either case.
fn same_etag(a: &str, b: &str) -> bool {
    let bare = |e: &str| e.trim().trim_matches('"').to_ascii_lowercase();
    bare(a) == bare(b)
}

/// The whole object's CRC64 from its parts', if every part's is known.
pub fn combined_crc64(plan: &Plan, done: &DoneParts) -> Option<u64> {
    let mut acc = 0;
    // Parts come in runs of one size: a shift is worked out once per run.
    let mut shift = (u64::MAX, 0);
    for n in 1..=plan.count() {
        let crc = done.get(n)?.crc64?;
        let len = plan.part(n).1;
        if shift.0 != len {
            shift = (len, crc64::zero_bytes(len));
        }
        acc = crc64::combine_shifted(acc, crc, shift.1);
    }
    Some(acc)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parts_combine_into_the_object_crc() {
        let data: Vec<u8> = (0..250 * 1024).map(|i| (i % 251) as u8).collect();
        let plan = Plan::new(data.len() as u64, Some(100.0 * 1024.0), 5).unwrap();
        let mut done = DoneParts::default();
        for n in (1..=plan.count()).rev() {
            let (start, len) = plan.part(n);
            let part = &data[start as usize..(start + len) as usize];
            done.insert(
                n,
                DonePart {
                    etag: format!("\"{n}\""),
                    crc64: Some(crc64::checksum(part)),
                },
            );
        }
        assert_eq!(combined_crc64(&plan, &done), Some(crc64::checksum(&data)));
        assert_eq!(bytes_done(&plan, &done), data.len() as u64);
        let partial: DoneParts = done.iter().filter(|(n, _)| *n != 2).cloned().collect();
        assert_eq!(combined_crc64(&plan, &partial), None);
    }

    #[test]
    fn parts_of_several_sizes_combine_too() {
        let data: Vec<u8> = (0..900 * 1024).map(|i| (i % 253) as u8).collect();
        let mut plan = Plan::new(data.len() as u64, Some(100.0 * 1024.0), 5).unwrap();
        plan.resize_from(3, 300 * 1024);
        plan.resize_from(4, 200 * 1024);
        let mut done = DoneParts::default();
        for n in 1..=plan.count() {
            let (start, len) = plan.part(n);
            let part = &data[start as usize..(start + len) as usize];
            let crc64 = Some(crc64::checksum(part));
            done.insert(
                n,
                DonePart {
                    etag: String::new(),
                    crc64,
                },
            );
        }
        assert_eq!(plan.count(), 5);
        assert_eq!(combined_crc64(&plan, &done), Some(crc64::checksum(&data)));
    }

    #[test]
    fn the_server_decides_which_parts_are_done() {
        let plan = Plan::new(250 * 1024, Some(100.0 * 1024.0), 5).unwrap();
        let listed = |number, size| ListedPart {
            number,
            etag: format!("\"E{number}\""),
            size,
            crc64: None,
        };
        let done = reconcile(
            &plan,
            &DoneParts::default(),
            &[
                listed(1, 100 * 1024),
                listed(2, 99 * 1024),
                listed(3, 50 * 1024),
                listed(4, 1),
            ],
        );
        let numbers: Vec<u32> = done.iter().map(|(n, _)| *n).collect();
        assert_eq!(numbers, [1, 3]);
    }
}
