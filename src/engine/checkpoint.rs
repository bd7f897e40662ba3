//! A checkpoint says which parts of an upload are done, in ali-oss's shape. It is advice, not
//! truth: before resuming, the parts the server lists decide what is kept.

use std::collections::BTreeMap;

use crate::protocol::messages::ListedPart;

use super::plan::Plan;

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Checkpoint {
    pub name: String,
    pub file_size: u64,
    pub part_size: u64,
    pub upload_id: String,
    /// Part number → ETag.
    pub done: BTreeMap<u32, String>,
}

impl Checkpoint {
    /// Bytes of the file the done parts cover.
    pub fn bytes_done(&self, plan: &Plan) -> u64 {
        self.done.keys().map(|n| plan.part(*n).1).sum()
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
pub fn reconcile(plan: &Plan, listed: &[ListedPart]) -> BTreeMap<u32, String> {
    listed
        .iter()
        .filter(|p| p.number >= 1 && p.number <= plan.count() && p.size == plan.part(p.number).1)
        .map(|p| (p.number, p.etag.clone()))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn listed(number: u32, size: u64) -> ListedPart {
        ListedPart {
            number,
            etag: format!("\"E{number}\""),
            size,
            crc64: None,
        }
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
        assert_eq!(done.keys().copied().collect::<Vec<_>>(), [1, 3]);
        let cp = Checkpoint {
            name: "k".into(),
            file_size: plan.size,
            part_size: plan.part_size,
            upload_id: "U".into(),
            done,
        };
        assert_eq!(cp.bytes_done(&plan), 150 * 1024);
        assert!(cp.fits("k", plan.size).is_ok());
        assert!(cp.fits("other", plan.size).is_err());
        assert!(cp.fits("k", 1).is_err());
    }
}
