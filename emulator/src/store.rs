//! Buckets, objects and multipart uploads.
//!
//! The index is always in memory. Bytes live in blobs, in memory or (with `--data-dir`) in
//! files. On disk every object, upload and part is a small JSON record naming its blob; a
//! record is written to a temporary file and renamed into place, and that rename is the commit
//! point: a crash leaves at worst an orphan blob, never a half object or half part.
//!
//! Layout: `<dir>/<bucket>/blobs/<id>`, `<dir>/<bucket>/objects/<sha256(key)>.json`,
//! `<dir>/<bucket>/uploads/<upload id>/upload.json` and `.../<part number>.json`.

use std::collections::{BTreeMap, HashMap};
use std::io::{Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use bytes::Bytes;
use md5::{Digest, Md5};
use serde::{Deserialize, Serialize};

use crate::sync::lock;

/// What HEAD returns about an object.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct ObjectMeta {
    pub size: u64,
    pub etag: String,
    pub crc64: u64,
    pub last_modified: u64,
    pub content_type: String,
    /// Stored headers returned as they came: `cache-control`, `content-disposition`,
    /// `content-encoding`, `expires` and `x-oss-meta-*` (names lower-cased).
    pub headers: Vec<(String, String)>,
    /// `Normal` or `Multipart`.
    pub object_type: String,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct ObjectRecord {
    pub key: String,
    pub meta: ObjectMeta,
    pub blob: String,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct UploadRecord {
    pub key: String,
    pub upload_id: String,
    pub initiated: u64,
    pub content_type: String,
    pub headers: Vec<(String, String)>,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct PartRecord {
    pub number: u32,
    pub size: u64,
    pub etag: String,
    pub crc64: u64,
    pub last_modified: u64,
    pub blob: String,
}

#[derive(Clone, Debug)]
pub struct Upload {
    pub record: UploadRecord,
    pub parts: BTreeMap<u32, PartRecord>,
}

#[derive(Default)]
struct Bucket {
    objects: BTreeMap<String, ObjectRecord>,
    uploads: BTreeMap<String, Upload>,
}

pub struct Store {
    dir: Option<PathBuf>,
    buckets: Mutex<HashMap<String, Bucket>>,
    /// In memory, a blob is a list of pieces: one for a PUT or a part, the parts' own pieces
    /// for a completed upload. Complete joins them without copying, as OSS completes without
    /// rewriting the data; copying a 1 GiB object's parts took 0.4-2.7 s here and showed up
    /// in the benchmark as the client's time.
    memory_blobs: Mutex<HashMap<String, Vec<Bytes>>>,
}

pub type Result<T> = std::result::Result<T, String>;

/// A file name for a key of any length or alphabet.
fn record_file_name(key: &str) -> String {
    // Keys may be 1023 bytes of anything: a digest makes a safe, bounded file name.
    // Collisions are irrelevant for an emulator's test data; the record holds the key.
    format!("{}.json", hex::encode(Md5::digest(key.as_bytes())))
}

fn random_id() -> String {
    format!("{:032x}", rand::random::<u128>())
}

fn write_atomically(path: &Path, data: &[u8]) -> Result<()> {
    let dir = path.parent().ok_or("record path has no parent")?;
    std::fs::create_dir_all(dir).map_err(|e| format!("create {}: {e}", dir.display()))?;
    let tmp = dir.join(format!(".tmp-{}", random_id()));
    let mut file = std::fs::File::create(&tmp).map_err(|e| format!("create temp: {e}"))?;
    file.write_all(data)
        .and_then(|_| file.sync_all())
        .map_err(|e| format!("write {}: {e}", tmp.display()))?;
    std::fs::rename(&tmp, path).map_err(|e| format!("rename into {}: {e}", path.display()))
}

fn read_json<T: for<'de> Deserialize<'de>>(path: &Path) -> Option<T> {
    serde_json::from_slice(&std::fs::read(path).ok()?).ok()
}

fn json_files(dir: &Path) -> Vec<PathBuf> {
    std::fs::read_dir(dir)
        .map(|entries| {
            entries
                .filter_map(|e| e.ok().map(|e| e.path()))
                .filter(|p| p.extension().is_some_and(|x| x == "json"))
                .collect()
        })
        .unwrap_or_default()
}

impl Store {
    /// Opens the store, loading what `dir` holds. Records that cannot be read are skipped.
    pub fn open(dir: Option<PathBuf>, bucket_names: &[String]) -> Result<Store> {
        let mut buckets = HashMap::new();
        for name in bucket_names {
            let mut bucket = Bucket::default();
            if let Some(dir) = &dir {
                let root = dir.join(name);
                for path in json_files(&root.join("objects")) {
                    if let Some(rec) = read_json::<ObjectRecord>(&path) {
                        bucket.objects.insert(rec.key.clone(), rec);
                    }
                }
                let uploads = std::fs::read_dir(root.join("uploads"))
                    .map(|e| e.filter_map(|e| e.ok().map(|e| e.path())).collect())
                    .unwrap_or_else(|_| Vec::new());
                for up_dir in uploads {
                    let Some(record) = read_json::<UploadRecord>(&up_dir.join("upload.json"))
                    else {
                        continue;
                    };
                    let parts = json_files(&up_dir)
                        .iter()
                        .filter_map(|p| read_json::<PartRecord>(p))
                        .map(|p| (p.number, p))
                        .collect();
                    bucket
                        .uploads
                        .insert(record.upload_id.clone(), Upload { record, parts });
                }
            }
            buckets.insert(name.clone(), bucket);
        }
        Ok(Store {
            dir,
            buckets: Mutex::new(buckets),
            memory_blobs: Mutex::new(HashMap::new()),
        })
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<String, Bucket>> {
        lock(&self.buckets)
    }

    pub fn has_bucket(&self, bucket: &str) -> bool {
        self.lock().contains_key(bucket)
    }

    // ---- blobs ----

    fn blob_path(&self, bucket: &str, id: &str) -> Option<PathBuf> {
        self.dir
            .as_ref()
            .map(|d| d.join(bucket).join("blobs").join(id))
    }

    /// Stores bytes and returns the blob's id.
    pub fn put_blob(&self, bucket: &str, data: Bytes) -> Result<String> {
        let id = random_id();
        match self.blob_path(bucket, &id) {
            Some(path) => write_atomically(&path, &data)?,
            None => {
                lock(&self.memory_blobs).insert(id.clone(), vec![data]);
            }
        }
        Ok(id)
    }

    /// An object and its bytes, taken together: the bytes stay readable even if the object is
    /// replaced or deleted meanwhile (an open file, or the pieces themselves), as a GET that
    /// began before an overwrite reads the version it began with.
    pub fn open_object(&self, bucket: &str, key: &str) -> Option<Result<(ObjectRecord, Blob)>> {
        let buckets = self.lock();
        let record = buckets.get(bucket)?.objects.get(key)?.clone();
        let blob = match self.blob_path(bucket, &record.blob) {
            Some(path) => std::fs::File::open(&path)
                .map(Blob::File)
                .map_err(|e| format!("open blob {}: {e}", record.blob)),
            None => lock(&self.memory_blobs)
                .get(&record.blob)
                .cloned()
                .map(Blob::Memory)
                .ok_or_else(|| format!("blob {} is missing", record.blob)),
        };
        Some(blob.map(|b| (record, b)))
    }

    fn delete_blob(&self, bucket: &str, id: &str) {
        match self.blob_path(bucket, id) {
            Some(path) => {
                let _ = std::fs::remove_file(path);
            }
            None => {
                lock(&self.memory_blobs).remove(id);
            }
        }
    }

    // ---- objects ----

    pub fn object(&self, bucket: &str, key: &str) -> Option<ObjectRecord> {
        self.lock().get(bucket)?.objects.get(key).cloned()
    }

    pub fn list_objects(&self, bucket: &str) -> Vec<ObjectRecord> {
        self.lock()
            .get(bucket)
            .map(|b| b.objects.values().cloned().collect())
            .unwrap_or_default()
    }

    /// Makes `record` the object at its key, replacing any older one.
    pub fn commit_object(&self, bucket: &str, record: ObjectRecord) -> Result<()> {
        if let Some(dir) = &self.dir {
            let path = dir
                .join(bucket)
                .join("objects")
                .join(record_file_name(&record.key));
            write_atomically(
                &path,
                &serde_json::to_vec(&record).map_err(|e| e.to_string())?,
            )?;
        }
        let old = {
            let mut buckets = self.lock();
            let b = buckets.get_mut(bucket).ok_or("no such bucket")?;
            b.objects.insert(record.key.clone(), record)
        };
        if let Some(old) = old {
            self.delete_blob(bucket, &old.blob);
        }
        Ok(())
    }

    pub fn delete_object(&self, bucket: &str, key: &str) -> Result<()> {
        let old = self
            .lock()
            .get_mut(bucket)
            .and_then(|b| b.objects.remove(key));
        if let Some(old) = old {
            if let Some(dir) = &self.dir {
                let path = dir.join(bucket).join("objects").join(record_file_name(key));
                std::fs::remove_file(&path).map_err(|e| format!("delete record: {e}"))?;
            }
            self.delete_blob(bucket, &old.blob);
        }
        Ok(())
    }

    // ---- multipart ----

    fn upload_dir(&self, bucket: &str, upload_id: &str) -> Option<PathBuf> {
        self.dir
            .as_ref()
            .map(|d| d.join(bucket).join("uploads").join(upload_id))
    }

    pub fn create_upload(&self, bucket: &str, record: UploadRecord) -> Result<()> {
        if let Some(dir) = self.upload_dir(bucket, &record.upload_id) {
            write_atomically(
                &dir.join("upload.json"),
                &serde_json::to_vec(&record).map_err(|e| e.to_string())?,
            )?;
        }
        let mut buckets = self.lock();
        let b = buckets.get_mut(bucket).ok_or("no such bucket")?;
        b.uploads.insert(
            record.upload_id.clone(),
            Upload {
                record,
                parts: BTreeMap::new(),
            },
        );
        Ok(())
    }

    pub fn upload(&self, bucket: &str, upload_id: &str) -> Option<Upload> {
        self.lock().get(bucket)?.uploads.get(upload_id).cloned()
    }

    /// An upload's record without its parts: what a part's request checks, at a cost that
    /// does not grow with the parts already stored.
    pub fn upload_record(&self, bucket: &str, upload_id: &str) -> Option<UploadRecord> {
        Some(
            self.lock()
                .get(bucket)?
                .uploads
                .get(upload_id)?
                .record
                .clone(),
        )
    }

    pub fn uploads(&self, bucket: &str) -> Vec<UploadRecord> {
        self.lock()
            .get(bucket)
            .map(|b| b.uploads.values().map(|u| u.record.clone()).collect())
            .unwrap_or_default()
    }

    /// Records a part, replacing an earlier upload of the same number. `Ok(false)` if the
    /// upload is gone (aborted or completed meanwhile).
    pub fn commit_part(&self, bucket: &str, upload_id: &str, part: PartRecord) -> Result<bool> {
        if self.upload_record(bucket, upload_id).is_none() {
            self.delete_blob(bucket, &part.blob);
            return Ok(false);
        }
        let (number, blob) = (part.number, part.blob.clone());
        if let Some(dir) = self.upload_dir(bucket, upload_id) {
            let written = write_atomically(
                &dir.join(format!("{number}.json")),
                &serde_json::to_vec(&part).map_err(|e| e.to_string())?,
            );
            if let Err(e) = written {
                // A Complete or an Abort removed the upload's directory while the record was
                // written: the upload is gone, not the server broken. The index decides, not
                // the directory: another part of the same upload may have made it again.
                if self.upload_record(bucket, upload_id).is_some() {
                    return Err(e);
                }
                let _ = std::fs::remove_dir(&dir);
                self.delete_blob(bucket, &blob);
                return Ok(false);
            }
        }
        let old = {
            let mut buckets = self.lock();
            match buckets
                .get_mut(bucket)
                .and_then(|b| b.uploads.get_mut(upload_id))
            {
                Some(upload) => upload.parts.insert(part.number, part),
                None => {
                    // Completed or aborted since the check above: this part was never
                    // acknowledged, so nothing of it stays.
                    drop(buckets);
                    if let Some(dir) = self.upload_dir(bucket, upload_id) {
                        let _ = std::fs::remove_file(dir.join(format!("{number}.json")));
                        let _ = std::fs::remove_dir(dir);
                    }
                    self.delete_blob(bucket, &blob);
                    return Ok(false);
                }
            }
        };
        if let Some(old) = old {
            self.delete_blob(bucket, &old.blob);
        }
        Ok(true)
    }

    /// Takes an upload out of the index for a Complete, if `choose` (which sees its parts as
    /// they are at this instant) picks the parts to join: from then on no part can be replaced
    /// or added, and no other Complete or Abort can take it, so the chosen parts' blobs stay
    /// until [`Store::finish_claim`]. `Ok(None)` if the upload is not there.
    pub fn claim_upload<T>(
        &self,
        bucket: &str,
        upload_id: &str,
        choose: impl FnOnce(&Upload) -> std::result::Result<T, crate::failure::Failure>,
    ) -> std::result::Result<Option<(Upload, T)>, crate::failure::Failure> {
        let mut buckets = self.lock();
        let Some(uploads) = buckets.get_mut(bucket).map(|b| &mut b.uploads) else {
            return Ok(None);
        };
        let Some(upload) = uploads.get(upload_id) else {
            return Ok(None);
        };
        let chosen = choose(upload)?;
        Ok(uploads.remove(upload_id).map(|u| (u, chosen)))
    }

    /// Puts back a claimed upload whose Complete failed after all.
    pub fn unclaim(&self, bucket: &str, upload: Upload) {
        if let Some(b) = self.lock().get_mut(bucket) {
            b.uploads.insert(upload.record.upload_id.clone(), upload);
        }
    }

    /// Removes what is left of a completed upload: its records and its parts' blobs.
    pub fn finish_claim(&self, bucket: &str, upload: &Upload) {
        if let Some(dir) = self.upload_dir(bucket, &upload.record.upload_id) {
            let _ = std::fs::remove_dir_all(dir);
        }
        for part in upload.parts.values() {
            self.delete_blob(bucket, &part.blob);
        }
    }

    /// Removes an upload and the blobs of its parts.
    pub fn remove_upload(&self, bucket: &str, upload_id: &str) -> Option<Upload> {
        let upload = self
            .lock()
            .get_mut(bucket)
            .and_then(|b| b.uploads.remove(upload_id))?;
        if let Some(dir) = self.upload_dir(bucket, upload_id) {
            let _ = std::fs::remove_dir_all(dir);
        }
        for part in upload.parts.values() {
            self.delete_blob(bucket, &part.blob);
        }
        Some(upload)
    }

    /// Joins blobs into one new blob, in order, without holding them all in memory on disk.
    pub fn concat_blobs(&self, bucket: &str, ids: &[(String, u64)]) -> Result<String> {
        let id = random_id();
        match self.blob_path(bucket, &id) {
            Some(path) => {
                let dir = path.parent().ok_or("blob path has no parent")?;
                let tmp = dir.join(format!(".tmp-{}", random_id()));
                let mut out = std::fs::File::create(&tmp).map_err(|e| e.to_string())?;
                for (part, _) in ids {
                    let src = self.blob_path(bucket, part).ok_or("no blob path")?;
                    let mut input = std::fs::File::open(&src)
                        .map_err(|e| format!("open part blob {part}: {e}"))?;
                    std::io::copy(&mut input, &mut out).map_err(|e| e.to_string())?;
                }
                out.sync_all().map_err(|e| e.to_string())?;
                std::fs::rename(&tmp, &path).map_err(|e| e.to_string())?;
            }
            None => {
                let mut blobs = lock(&self.memory_blobs);
                let mut joined = Vec::new();
                for (part, _) in ids {
                    let pieces = blobs
                        .get(part)
                        .ok_or_else(|| format!("part blob {part} is missing"))?;
                    joined.extend(pieces.iter().cloned());
                }
                blobs.insert(id.clone(), joined);
            }
        }
        Ok(id)
    }
}

/// The bytes of one object, held open.
pub enum Blob {
    Memory(Vec<Bytes>),
    File(std::fs::File),
}

impl Blob {
    /// `len` bytes from `offset`.
    pub fn read(&mut self, offset: u64, len: u64) -> Result<Bytes> {
        match self {
            Blob::Memory(pieces) => read_pieces(pieces, offset as usize, len as usize)
                .ok_or_else(|| format!("blob is shorter than {offset} + {len}")),
            Blob::File(file) => {
                let mut buf = vec![0; len as usize];
                file.seek(SeekFrom::Start(offset))
                    .and_then(|_| file.read_exact(&mut buf))
                    .map_err(|e| format!("read blob: {e}"))?;
                Ok(Bytes::from(buf))
            }
        }
    }
}

/// `len` bytes from `offset` of a blob held as pieces: a slice of one piece when the range lies
/// in it (no copy), else the pieces' bytes copied together. None past the end.
fn read_pieces(pieces: &[Bytes], mut offset: usize, len: usize) -> Option<Bytes> {
    let mut out: Option<Vec<u8>> = None;
    let mut wanted = len;
    for piece in pieces {
        if offset >= piece.len() {
            offset -= piece.len();
            continue;
        }
        let take = wanted.min(piece.len() - offset);
        if out.is_none() && take == wanted {
            return Some(piece.slice(offset..offset + take));
        }
        out.get_or_insert_with(|| Vec::with_capacity(len))
            .extend_from_slice(&piece[offset..offset + take]);
        wanted -= take;
        offset = 0;
        if wanted == 0 {
            break;
        }
    }
    match out {
        Some(bytes) if wanted == 0 => Some(Bytes::from(bytes)),
        None if len == 0 => Some(Bytes::new()),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pieces() -> Vec<Bytes> {
        vec![
            Bytes::from_static(b"abc"),
            Bytes::new(),
            Bytes::from_static(b"defg"),
            Bytes::from_static(b"h"),
        ]
    }

    #[test]
    fn a_range_inside_one_piece_or_across_several() {
        let p = pieces();
        let read = |offset, len| read_pieces(&p, offset, len).map(|b| b.to_vec());
        assert_eq!(read(0, 8).as_deref(), Some(&b"abcdefgh"[..]));
        assert_eq!(read(1, 2).as_deref(), Some(&b"bc"[..]));
        assert_eq!(read(3, 4).as_deref(), Some(&b"defg"[..]));
        assert_eq!(read(2, 5).as_deref(), Some(&b"cdefg"[..]));
        assert_eq!(read(6, 2).as_deref(), Some(&b"gh"[..]));
        assert_eq!(read(8, 0).as_deref(), Some(&b""[..]));
    }

    #[test]
    fn a_range_past_the_end_is_none() {
        assert_eq!(read_pieces(&pieces(), 5, 4), None);
        assert_eq!(read_pieces(&pieces(), 9, 1), None);
    }
}
