//! `clearinghouse extract`, tested on the real binary: plain text and JSON
//! lines in (file or standard input, format given or detected), one JSON
//! line out per text with exact spans, and a bad line reported by number
//! without stopping the others.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::io::Write;
use std::process::{Command, Output, Stdio};

use serde_json::{json, Value};

fn run(args: &[&str], stdin: &str) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_clearinghouse"))
        .arg("extract")
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn clearinghouse");
    child
        .stdin
        .take()
        .unwrap()
        .write_all(stdin.as_bytes())
        .unwrap();
    child.wait_with_output().unwrap()
}

/// The output lines, parsed.
fn lines(o: &Output) -> Vec<Value> {
    String::from_utf8(o.stdout.clone())
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// (kind, value, text) of each entity of an output line.
fn found(line: &Value) -> Vec<(String, String, String)> {
    line["entities"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            (
                e["kind"].as_str().unwrap().to_string(),
                e["value"].as_str().unwrap().to_string(),
                e["text"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

fn has(line: &Value, kind: &str, value: &str, text: &str) -> bool {
    found(line).contains(&(kind.to_string(), value.to_string(), text.to_string()))
}

#[test]
fn plain_text_gives_a_line_per_line_with_exact_spans() {
    let input = "call 212-555-0147 now\n\nmail jane [at] example [dot] com\r\n";
    let o = run(&[], input);
    assert!(o.status.success(), "{}", stderr(&o));
    let out = lines(&o);
    assert_eq!(out.len(), 3, "{out:?}");
    assert_eq!(out[0]["id"], json!(1));
    assert_eq!(
        out[0]["entities"],
        json!([{"kind": "phone", "value": "+12125550147", "span": [5, 17], "text": "212-555-0147"}])
    );
    assert_eq!(out[1], json!({"id": 2, "entities": []}));
    assert_eq!(out[2]["id"], json!(3));
    assert!(
        has(
            &out[2],
            "email",
            "jane@example.com",
            "jane [at] example [dot] com"
        ),
        "{:?}",
        out[2]
    );
    // The carriage return of a CRLF line is not part of the text.
    assert_eq!(out[2]["entities"][0]["span"], json!([5, 32]));
}

#[test]
fn spans_are_byte_offsets_into_the_text() {
    let text = "Ｃａｌｌ ２１２ ５５５ ０１４７ 📞 in Dallas, TX";
    let o = run(&["--format", "text", "-"], text);
    assert!(o.status.success(), "{}", stderr(&o));
    let out = lines(&o);
    for e in out[0]["entities"].as_array().unwrap() {
        let (s, t) = (
            e["span"][0].as_u64().unwrap() as usize,
            e["span"][1].as_u64().unwrap() as usize,
        );
        assert_eq!(&text[s..t], e["text"].as_str().unwrap());
    }
    assert!(
        has(&out[0], "phone", "+12125550147", "２１２ ５５５ ０１４７"),
        "{:?}",
        out[0]
    );
    assert!(has(&out[0], "city", "Dallas, TX", "Dallas"), "{:?}", out[0]);
}

#[test]
fn json_lines_are_detected_and_keep_their_ids() {
    let input = concat!(
        "\n",
        r#"{"id": "ad-7", "text": "new in town, text two one two 555 O147"}"#,
        "\n",
        r#"{"id": 42, "text": "find me on snapchat @sunny_22", "city": "Dallas"}"#,
        "\n\n",
        r#"{"text": "nothing here"}"#,
        "\n",
    );
    for args in [
        &[][..],
        &["--format", "jsonl"][..],
        &["--format", "auto", "-"][..],
    ] {
        let o = run(args, input);
        assert!(o.status.success(), "{args:?}: {}", stderr(&o));
        let out = lines(&o);
        assert_eq!(out.len(), 3, "{args:?}: {out:?}");
        assert_eq!(out[0]["id"], json!("ad-7"));
        assert!(
            has(&out[0], "phone", "+12125550147", "two one two 555 O147"),
            "{:?}",
            out[0]
        );
        assert_eq!(out[1]["id"], json!(42));
        assert!(
            has(&out[1], "platform", "snapchat", "snapchat"),
            "{:?}",
            out[1]
        );
        assert!(
            has(&out[1], "handle", "@sunny_22", "@sunny_22"),
            "{:?}",
            out[1]
        );
        // No id: the line number.
        assert_eq!(out[2], json!({"id": 5, "entities": []}));
    }
}

#[test]
fn json_read_as_text_when_asked() {
    let input = r#"{"id": 1, "text": "call 212-555-0147"}"#;
    let o = run(&["--format", "text"], input);
    assert!(o.status.success(), "{}", stderr(&o));
    let out = lines(&o);
    assert_eq!(out.len(), 1);
    assert!(has(&out[0], "phone", "+12125550147", "212-555-0147"));
    assert_eq!(out[0]["entities"][0]["span"], json!([24, 36]));
}

#[test]
fn a_bad_line_is_reported_by_number_and_the_rest_written() {
    let input = concat!(
        r#"{"id": "a", "text": "call 212-555-0147"}"#,
        "\n",
        r#"{"id": "b", "text": "#,
        "\n",
        r#"{"id": "c", "body": "no text field"}"#,
        "\n",
        r#"{"id": ["d"], "text": "odd id"}"#,
        "\n",
        r#"{"id": "e", "text": "jane@example.com"}"#,
        "\n",
    );
    let o = run(&["--format", "jsonl"], input);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    let out = lines(&o);
    let ids: Vec<&Value> = out.iter().map(|l| &l["id"]).collect();
    assert_eq!(ids, [&json!("a"), &json!("e")]);
    assert!(has(
        &out[1],
        "email",
        "jane@example.com",
        "jane@example.com"
    ));
    let err = stderr(&o);
    for n in ["line 2:", "line 3:", "line 4:"] {
        assert!(err.contains(n), "{n} missing from {err}");
    }
    assert!(
        !err.contains("line 1:") && !err.contains("line 5:"),
        "{err}"
    );
    assert!(err.contains("3 line(s) could not be read"), "{err}");
}

#[test]
fn reads_a_file_argument_and_names_a_missing_one() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("narratives.txt");
    std::fs::write(&path, "seen at a motel in Dallas, TX\nage 16\n").unwrap();
    let o = run(&[path.to_str().unwrap()], "");
    assert!(o.status.success(), "{}", stderr(&o));
    let out = lines(&o);
    assert_eq!(out.len(), 2);
    assert!(has(&out[0], "venue", "motel", "motel"), "{:?}", out[0]);
    assert!(has(&out[1], "age", "16", "age 16"), "{:?}", out[1]);

    let missing = dir.path().join("missing.txt");
    let o = run(&[missing.to_str().unwrap()], "");
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).contains("missing.txt"), "{}", stderr(&o));
}

#[test]
fn invalid_utf8_text_line_is_reported() {
    let mut child = Command::new(env!("CARGO_BIN_EXE_clearinghouse"))
        .args(["extract", "--format", "text"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(b"ok 212-555-0147\n\xff\xfe bad\nfine\n")
        .unwrap();
    let o = child.wait_with_output().unwrap();
    assert_eq!(o.status.code(), Some(1));
    let out = lines(&o);
    let ids: Vec<&Value> = out.iter().map(|l| &l["id"]).collect();
    assert_eq!(ids, [&json!(1), &json!(3)]);
    assert!(
        stderr(&o).contains("line 2: not valid UTF-8"),
        "{}",
        stderr(&o)
    );
}

#[test]
fn help_describes_input_and_output() {
    let o = Command::new(env!("CARGO_BIN_EXE_clearinghouse"))
        .args(["extract", "--help"])
        .output()
        .unwrap();
    assert!(o.status.success());
    let help = String::from_utf8_lossy(&o.stdout);
    for needle in ["JSON lines", "--format", "span", "line number"] {
        assert!(help.contains(needle), "{needle} missing from {help}");
    }
}
