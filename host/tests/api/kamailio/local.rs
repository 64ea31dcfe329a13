//! Finding programs and free loopback ports, for the SIP tests' rig and the SIP bench
//! (`host/benches/sip.rs` includes this file).

use std::path::PathBuf;

/// The path of `program` (PATH, then the sbin directories Debian installs Kamailio in).
pub fn find(program: &str) -> Option<PathBuf> {
    let path = std::env::var_os("PATH").unwrap_or_default();
    let mut dirs: Vec<PathBuf> = std::env::split_paths(&path).collect();
    dirs.extend(["/usr/sbin", "/usr/local/sbin", "/sbin"].map(PathBuf::from));
    dirs.into_iter()
        .map(|d| d.join(program))
        .find(|p| p.is_file())
}

/// A free UDP port on 127.0.0.1 (bound, then released).
pub fn free_udp_port() -> u16 {
    std::net::UdpSocket::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// A free TCP port on 127.0.0.1.
pub fn free_tcp_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// Two free UDP ports `p` and `p + 2` (SIPp's media sockets).
pub fn free_media_port() -> u16 {
    for _ in 0..100 {
        let p = free_udp_port();
        if p < 65_000 && std::net::UdpSocket::bind(("127.0.0.1", p + 2)).is_ok() {
            return p;
        }
    }
    panic!("no free pair of UDP ports for SIPp's media")
}

/// Whether a socket is bound to UDP `port` (read from /proc/net/udp, so that looking never
/// takes the port from the process about to bind it).
pub fn udp_port_taken(port: u16) -> bool {
    let table = std::fs::read_to_string("/proc/net/udp").unwrap_or_default();
    let wanted = format!(":{port:04X}");
    table
        .lines()
        .skip(1)
        .filter_map(|l| l.split_whitespace().nth(1))
        .any(|local| local.ends_with(&wanted))
}
