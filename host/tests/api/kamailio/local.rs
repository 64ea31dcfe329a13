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

/// A media port (`m` and `m + 2`) and a control port for a SIPp bound to SIP `port`. Each is
/// found free and released before SIPp binds it, so they are drawn to differ from each other
/// and from `port` (a media port equal to the SIP port failed a run with "Address already in
/// use").
pub fn sipp_side_ports(port: u16) -> (u16, u16) {
    let media = loop {
        let m = free_media_port();
        if ![m, m + 1, m + 2, m + 3].contains(&port) {
            break m;
        }
    };
    let control = loop {
        let c = free_udp_port();
        if c != port && !(media..=media + 3).contains(&c) {
            break c;
        }
    };
    (media, control)
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
