//! Which addresses a store may be at. Unless `WOOSYNC_ALLOW_PRIVATE_STORES` says otherwise,
//! woosync calls only public addresses, so that a store's URL cannot make it call into its
//! own network. Connecting checks the address once; the resolver below checks it again at
//! every connection, since a name that resolved to a public address when the store was
//! connected may resolve to a private one later (DNS rebinding).

use std::net::{IpAddr, SocketAddr};

use reqwest::dns::{Addrs, Name, Resolve, Resolving};

/// Which addresses the HTTP client for stores may connect to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StoreAddresses {
    /// Public addresses only: names are resolved by [`PublicOnlyResolver`], and an
    /// address written in a store's URL is checked before each request.
    PublicOnly,
    /// Any address, loopback and private networks too (`WOOSYNC_ALLOW_PRIVATE_STORES`).
    Any,
}

/// Resolves names as the system does and keeps only the public addresses; a name with
/// none fails to resolve, so no request reaches the private address.
pub struct PublicOnlyResolver;

impl Resolve for PublicOnlyResolver {
    fn resolve(&self, name: Name) -> Resolving {
        let host = name.as_str().to_string();
        Box::pin(async move {
            let resolved: Vec<SocketAddr> =
                tokio::net::lookup_host((host.as_str(), 0)).await?.collect();
            let public: Vec<SocketAddr> = resolved
                .iter()
                .copied()
                .filter(|address| is_public(&address.ip()))
                .collect();
            match (public.is_empty(), resolved.first()) {
                (true, Some(private)) => Err(format!(
                    "{host} resolves to {}, a loopback or private address \
                     (WOOSYNC_ALLOW_PRIVATE_STORES=true allows it)",
                    private.ip()
                )
                .into()),
                _ => Ok(Box::new(public.into_iter()) as Addrs),
            }
        })
    }
}

/// Whether an address is on the public internet: not loopback, a private or link-local
/// network, nor an address reserved or special otherwise. An IPv6 address that carries an
/// IPv4 one (compatible, mapped, translated, NAT64, 6to4, Teredo) is judged by the IPv4
/// address it reaches.
pub fn is_public(address: &IpAddr) -> bool {
    match address {
        IpAddr::V4(v4) => {
            let [a, b, ..] = v4.octets();
            !(v4.is_loopback()
                || v4.is_private()
                || v4.is_link_local()
                || v4.is_unspecified()
                || v4.is_broadcast()
                || v4.is_documentation()
                || v4.is_multicast()
                || a == 0
                // Shared address space (carrier-grade NAT), 100.64.0.0/10.
                || (a == 100 && (64..128).contains(&b))
                // Benchmarking, 198.18.0.0/15, and reserved, 240.0.0.0/4.
                || (a == 198 && (18..20).contains(&b))
                || a >= 240)
        }
        IpAddr::V6(v6) => {
            let embedded = carried_ipv4(v6);
            if !embedded.is_empty() {
                return embedded.into_iter().all(|v4| is_public(&IpAddr::V4(v4)));
            }
            let segments = v6.segments();
            let first = segments[0];
            !(v6.is_loopback()
                || v6.is_unspecified()
                || v6.is_multicast()
                // Unique local fc00::/7, link-local fe80::/10, site-local fec0::/10.
                || (first & 0xfe00) == 0xfc00
                || (first & 0xffc0) == 0xfe80
                || (first & 0xffc0) == 0xfec0
                // NAT64 for local use, 64:ff9b:1::/48; discard-only, 100::/64;
                // documentation, 2001:db8::/32.
                || segments[..3] == [0x64, 0xff9b, 1]
                || segments[..4] == [0x100, 0, 0, 0]
                || segments[..2] == [0x2001, 0xdb8])
        }
    }
}

/// The IPv4 addresses an IPv6 address reaches, in each form that carries one.
fn carried_ipv4(v6: &std::net::Ipv6Addr) -> Vec<std::net::Ipv4Addr> {
    let s = v6.segments();
    let v4 = |high: u16, low: u16| {
        let [a, b] = high.to_be_bytes();
        let [c, d] = low.to_be_bytes();
        std::net::Ipv4Addr::new(a, b, c, d)
    };
    match s {
        // IPv4-compatible ::a.b.c.d (deprecated, still routed by some stacks); `::` and
        // `::1` are themselves.
        [0, 0, 0, 0, 0, 0, high, low] if (high, low) != (0, 0) && (high, low) != (0, 1) => {
            vec![v4(high, low)]
        }
        // IPv4-mapped ::ffff:a.b.c.d and IPv4-translated ::ffff:0:a.b.c.d.
        [0, 0, 0, 0, 0, 0xffff, high, low] | [0, 0, 0, 0, 0xffff, 0, high, low] => {
            vec![v4(high, low)]
        }
        // NAT64, 64:ff9b::/96.
        [0x64, 0xff9b, 0, 0, 0, 0, high, low] => vec![v4(high, low)],
        // 6to4, 2002:a.b.c.d::/48.
        [0x2002, high, low, ..] => vec![v4(high, low)],
        // Teredo, 2001::/32: its server, and its client with the bits flipped.
        [
            0x2001,
            0,
            server_high,
            server_low,
            _,
            _,
            client_high,
            client_low,
        ] => vec![v4(server_high, server_low), v4(!client_high, !client_low)],
        _ => Vec::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn loopback_and_private_networks_are_not_public() {
        for private in [
            "127.0.0.1",
            "10.1.2.3",
            "172.16.0.1",
            "192.168.1.1",
            "169.254.169.254",
            "100.64.0.1",
            "0.0.0.0",
            "::1",
            "fd00::1",
            "fe80::1",
            "::ffff:127.0.0.1",
            "64:ff9b::a00:1",
            "2002:7f00:1::",
            "::127.0.0.1",
            "::10.0.0.1",
            "::ffff:0:127.0.0.1",
            "64:ff9b:1::a00:1",
            "2001:0:7f00:1::",
            "2001:0:808:808::80ff:fffe",
            "2001:db8::1",
            "100::1",
            "fec0::1",
            "ff02::1",
            "224.0.0.1",
            "198.18.0.1",
            "240.0.0.1",
        ] {
            assert!(!is_public(&private.parse().unwrap()), "{private}");
        }
        for public in [
            "93.184.216.34",
            "2606:2800:220:1::1",
            "8.8.8.8",
            "64:ff9b::808:808",
            "::8.8.8.8",
            "2002:808:808::1",
            "2001:0:808:808::f7f7:f7f7",
        ] {
            assert!(is_public(&public.parse().unwrap()), "{public}");
        }
    }

    #[tokio::test]
    async fn a_name_that_resolves_to_loopback_does_not_resolve() {
        let name: Name = "localhost".parse().unwrap();
        let error = match PublicOnlyResolver.resolve(name).await {
            Ok(addresses) => panic!("resolved to {:?}", addresses.collect::<Vec<_>>()),
            Err(error) => error.to_string(),
        };
        assert!(error.contains("loopback or private"), "{error}");
    }
}
