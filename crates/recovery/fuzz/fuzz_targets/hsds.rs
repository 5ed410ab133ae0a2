//! Fuzzes the HSDS data package reader: any bytes in any of its files must give services
//! and rejected rows, never a panic; what it accepts must write and read back the same.
#![no_main]

use libfuzzer_sys::fuzz_target;
use recovery::hsds::{read_package, write_package, Files};

fuzz_target!(|data: &[u8]| {
    // The first byte picks the file the rest is put in; the others get a valid header.
    let Some((&pick, rest)) = data.split_first() else {
        return;
    };
    let names = recovery::hsds::FILES;
    let mut files = Files::new();
    for (i, name) in names.iter().enumerate() {
        if i == usize::from(pick) % names.len() {
            files.insert(name.to_string(), rest.to_vec());
        }
    }
    let read = read_package(&files);
    let again = read_package(&write_package(&read.services));
    assert_eq!(again.services, read.services);
    assert!(again.rejected.is_empty());
});
