//! Fuzz target: a resolution cache entry, as the bytes of its file, through what reads it:
//! `CachedLexicon::decode`, the record checks (`check_lexicon_record`, `check_record_cid`, which
//! encodes the record as DAG-CBOR), and the lexicon loader on the record's text as
//! `NetLexiconSource` hands it to the resolver. Nothing may panic; a decoded entry re-encodes to
//! an equal entry.
#![no_main]

use lexperm_net::cache::CachedLexicon;
use lexperm_net::resolve::{check_lexicon_record, check_record_cid};
use lexperm_parser::diagnostics::FileId;
use lexperm_parser::lexicon;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Some(entry) = CachedLexicon::decode(data) else {
        return;
    };
    let again = serde_json::to_vec(&entry).expect("a decoded entry encodes");
    assert_eq!(CachedLexicon::decode(&again).as_ref(), Some(&entry));
    let _ = check_lexicon_record(&entry.nsid, &entry.uri, &entry.record);
    let _ = check_record_cid(&entry.nsid, &entry.uri, &entry.record, &entry.cid);
    if let Ok(text) = serde_json::to_string_pretty(&entry.record) {
        let _ = lexicon::load(FileId(0), &text);
    }
});
