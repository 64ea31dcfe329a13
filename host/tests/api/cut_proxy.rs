//! A TCP proxy on loopback between a node and its PostgreSQL that can cut the link, as a
//! network partition would: while cut, every open connection is dropped and new ones are closed
//! as soon as they are accepted.

use std::net::SocketAddr;

use tokio::net::{TcpListener, TcpStream};
use tokio::sync::watch;

/// The proxy; it stops when dropped.
pub struct CutProxy {
    addr: SocketAddr,
    cut: watch::Sender<bool>,
    task: tokio::task::JoinHandle<()>,
}

impl CutProxy {
    /// A proxy to the server `url` (`postgres://user@host:port/db`) names, and `url` made to
    /// go through it.
    pub async fn before(url: &str) -> (Self, String) {
        let authority = url
            .split_once('@')
            .and_then(|(_, rest)| rest.split_once('/'))
            .map(|(authority, _)| authority)
            .unwrap_or_else(|| panic!("no host:port in {url}"));
        let target: SocketAddr = authority.parse().unwrap();
        let proxy = Self::start(target).await;
        let through = url.replacen(authority, &proxy.addr.to_string(), 1);
        (proxy, through)
    }

    /// Listens on a free loopback port and passes every connection on to `target`.
    async fn start(target: SocketAddr) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let (cut, watching) = watch::channel(false);
        let task = tokio::spawn(async move {
            while let Ok((client, _)) = listener.accept().await {
                if *watching.borrow() {
                    continue; // dropped: closed at once
                }
                let mut watching = watching.clone();
                tokio::spawn(async move {
                    let Ok(mut server) = TcpStream::connect(target).await else {
                        return;
                    };
                    let mut client = client;
                    tokio::select! {
                        _ = tokio::io::copy_bidirectional(&mut client, &mut server) => {}
                        _ = watching.wait_for(|cut| *cut) => {}
                    }
                });
            }
        });
        Self { addr, cut, task }
    }

    /// Cuts the link (`true`) or restores it.
    pub fn cut(&self, cut: bool) {
        self.cut.send_replace(cut);
    }
}

impl Drop for CutProxy {
    fn drop(&mut self) {
        self.task.abort();
        self.cut.send_replace(true);
    }
}
