//! `clearinghouse health`: asks a running server's `/readyz` and exits 0 only on 200, for
//! a container's health check (the runtime image has no curl) and for scripts.

use anyhow::{bail, Context, Result};
use clap::Args;
use std::io::{Read, Write};
use std::net::{TcpStream, ToSocketAddrs};
use std::time::Duration;

#[derive(Args)]
pub struct HealthArgs {
    /// The server's address (host:port).
    #[arg(long, default_value = "127.0.0.1:8080", value_name = "ADDR")]
    pub addr: String,
    /// The path to ask.
    #[arg(long, default_value = "/readyz")]
    pub path: String,
}

pub fn run(args: &HealthArgs) -> Result<()> {
    if !args.path.starts_with('/') || args.path.chars().any(|c| c.is_control() || c == ' ') {
        return Err(crate::Exit::BadInput(format!(
            "--path {:?} is not a path: give one like /readyz",
            args.path
        ))
        .into());
    }
    let addr = args
        .addr
        .to_socket_addrs()
        .with_context(|| format!("{} is not an address: give host:port", args.addr))?
        .next()
        .with_context(|| format!("{} resolves to no address", args.addr))?;
    let timeout = Duration::from_secs(5);
    let mut s = TcpStream::connect_timeout(&addr, timeout)
        .with_context(|| format!("connecting to {addr}: is the server running?"))?;
    s.set_read_timeout(Some(timeout))?;
    s.set_write_timeout(Some(timeout))?;
    write!(
        s,
        "GET {} HTTP/1.1\r\nHost: {}\r\nConnection: close\r\n\r\n",
        args.path, args.addr
    )?;
    let mut head = Vec::new();
    s.take(4096).read_to_end(&mut head)?;
    let text = String::from_utf8_lossy(&head);
    let status = text.split_whitespace().nth(1).unwrap_or("");
    if status != "200" {
        bail!(
            "{}{} answered {}",
            args.addr,
            args.path,
            text.lines().next().unwrap_or("nothing")
        );
    }
    println!("{}{} is ready", args.addr, args.path);
    Ok(())
}
