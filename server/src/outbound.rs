//! Which addresses the portal may send to on a tenant admin's behalf.
//!
//! A recipient endpoint is a URL a tenant admin types in, and the delivery worker posts to it
//! from inside the operator's network. Without a policy that is a server-side request forgery:
//! an admin could point the worker at loopback, the cloud metadata service (169.254.169.254) or
//! any internal host. So every endpoint is checked when it is saved and again at every send:
//! https only (plain http only when the operator allows it), and no address in a loopback,
//! private, link-local, CGNAT, multicast, broadcast or unspecified network (IPv4-mapped and
//! -compatible IPv6 forms included), unless the operator allow-lists the network. At send time
//! the check runs inside the HTTP client's DNS resolver ([`PolicyResolver`]), so a name that
//! resolved to a public address when saved and to an inside one now (DNS rebinding) is refused
//! too; IP literals never reach a resolver and are checked before the request.
//!
//! Also here: [`mask_url`], the one way an endpoint URL is shown or logged, because such URLs
//! often carry keys in the query or the userinfo.

use ipnet::IpNet;
use openidconnect::reqwest::dns::{Addrs, Name, Resolve, Resolving};
use openidconnect::url::{Host, Url};
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::sync::Arc;

/// Why an endpoint URL is refused. The texts are short and hold no part of the URL, so they can
/// go into a delivery's `last_error` and the log.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
pub enum Refusal {
    /// Not a URL with a host, or longer than 2048 bytes.
    #[error("invalid address")]
    Invalid,
    /// `http:` while the operator allows https only, or another scheme.
    #[error("not https")]
    NotHttps,
    /// An address (or one of those the name resolves to) is in a refused network.
    #[error("address not allowed")]
    AddressNotAllowed,
    /// The name does not resolve.
    #[error("host not found")]
    HostNotFound,
}

/// The operator's outbound policy (`outbound_allow_networks`, `outbound_allow_http`).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct OutboundPolicy {
    allow: Vec<IpNet>,
    allow_http: bool,
}

/// How long saving an endpoint waits for its name to resolve.
const LOOKUP_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(5);

/// The longest endpoint URL accepted.
pub const MAX_URL_LEN: usize = 2048;

impl OutboundPolicy {
    /// A policy allowing the public internet over https, plus `allow` (and plain http if
    /// `allow_http`).
    pub fn new(allow: Vec<IpNet>, allow_http: bool) -> OutboundPolicy {
        OutboundPolicy { allow, allow_http }
    }

    /// Whether the portal may connect to `ip`: allow-listed, or in no refused network.
    pub fn permits(&self, ip: IpAddr) -> bool {
        let ip = ip.to_canonical();
        self.allow.iter().any(|net| net.contains(&ip)) || !is_internal(ip)
    }

    /// Parses `url` and checks its scheme and, for an IP literal, its address; a name is left
    /// to [`OutboundPolicy::check`] or the resolver.
    ///
    /// # Errors
    /// The [`Refusal`] that applies.
    pub fn check_syntax(&self, url: &str) -> Result<Url, Refusal> {
        if url.len() > MAX_URL_LEN {
            return Err(Refusal::Invalid);
        }
        let parsed = Url::parse(url).map_err(|_| Refusal::Invalid)?;
        match parsed.scheme() {
            "https" => {}
            "http" if self.allow_http => {}
            _ => return Err(Refusal::NotHttps),
        }
        match parsed.host() {
            None => return Err(Refusal::Invalid),
            Some(Host::Ipv4(ip)) if !self.permits(IpAddr::V4(ip)) => {
                return Err(Refusal::AddressNotAllowed)
            }
            Some(Host::Ipv6(ip)) if !self.permits(IpAddr::V6(ip)) => {
                return Err(Refusal::AddressNotAllowed)
            }
            Some(_) => {}
        }
        Ok(parsed)
    }

    /// The full check of a URL being saved: [`OutboundPolicy::check_syntax`], then the name is
    /// resolved and every address it resolves to must be permitted (one inside address is
    /// enough to refuse: the client could pick it).
    ///
    /// # Errors
    /// The [`Refusal`] that applies.
    pub async fn check(&self, url: &str) -> Result<Url, Refusal> {
        let parsed = self.check_syntax(url)?;
        if let Some(Host::Domain(name)) = parsed.host() {
            let port = parsed.port_or_known_default().unwrap_or(443);
            // Bounded: the admin waits for this answer, and a resolver that never answers
            // must not hold the request until the server's own timeout.
            let addrs: Vec<SocketAddr> =
                tokio::time::timeout(LOOKUP_TIMEOUT, tokio::net::lookup_host((name, port)))
                    .await
                    .map_err(|_| Refusal::HostNotFound)?
                    .map_err(|_| Refusal::HostNotFound)?
                    .collect();
            if addrs.is_empty() {
                return Err(Refusal::HostNotFound);
            }
            if addrs.iter().any(|a| !self.permits(a.ip())) {
                return Err(Refusal::AddressNotAllowed);
            }
        }
        Ok(parsed)
    }
}

/// Whether `ip` is in a network the portal never sends to unless allow-listed.
pub fn is_internal(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => is_internal_v4(v4),
        IpAddr::V6(v6) => is_internal_v6(v6),
    }
}

fn is_internal_v4(ip: Ipv4Addr) -> bool {
    let [a, b, _, _] = ip.octets();
    ip.is_loopback()
        || ip.is_private()
        || ip.is_link_local()
        || ip.is_multicast()
        || ip.is_broadcast()
        || ip.is_documentation()
        // 0.0.0.0/8 "this network" (0.0.0.0 reaches the local host on Linux).
        || a == 0
        // 100.64.0.0/10, carrier-grade NAT (`is_shared` is not stable yet).
        || (a == 100 && (b & 0xc0) == 64)
        // 198.18.0.0/15, benchmarking; 240.0.0.0/4, reserved.
        || (a == 198 && (b & 0xfe) == 18)
        || a >= 240
}

fn is_internal_v6(ip: Ipv6Addr) -> bool {
    if let Some(v4) = ip.to_ipv4_mapped() {
        return is_internal_v4(v4);
    }
    let segments = ip.segments();
    if ip.is_loopback() || ip.is_unspecified() || ip.is_multicast() {
        return true;
    }
    // fc00::/7 unique local, fe80::/10 link-local, fec0::/10 the old site-local.
    if (segments[0] & 0xfe00) == 0xfc00 || (segments[0] & 0xffc0) == 0xfe80 {
        return true;
    }
    if (segments[0] & 0xffc0) == 0xfec0 {
        return true;
    }
    // IPv4-compatible (::a.b.c.d, deprecated) and NAT64 (64:ff9b::/96) carry an IPv4 address
    // that a gateway or the stack may reach: judge that address.
    let [a, b] = segments[6].to_be_bytes();
    let [c, d] = segments[7].to_be_bytes();
    let embedded = Ipv4Addr::new(a, b, c, d);
    if segments[..6].iter().all(|s| *s == 0) {
        return is_internal_v4(embedded);
    }
    if segments[0] == 0x64 && segments[1] == 0xff9b && segments[2..6].iter().all(|s| *s == 0) {
        return is_internal_v4(embedded);
    }
    // 2001:db8::/32, documentation.
    segments[0] == 0x2001 && segments[1] == 0x0db8
}

/// The DNS resolver of the delivery client: resolves with the system resolver and keeps only
/// permitted addresses, failing with [`Refusal::AddressNotAllowed`] when none is left, so the
/// connection can only go where the policy allows, whatever the name resolves to today.
pub struct PolicyResolver {
    policy: Arc<OutboundPolicy>,
}

impl PolicyResolver {
    pub fn new(policy: Arc<OutboundPolicy>) -> PolicyResolver {
        PolicyResolver { policy }
    }
}

impl Resolve for PolicyResolver {
    fn resolve(&self, name: Name) -> Resolving {
        let policy = self.policy.clone();
        Box::pin(async move {
            // Port 0: reqwest puts the URL's port on the addresses it gets back.
            let found: Vec<SocketAddr> = tokio::net::lookup_host((name.as_str(), 0))
                .await
                .map_err(|_| Box::new(Refusal::HostNotFound) as Box<_>)?
                .collect();
            if found.is_empty() {
                return Err(Box::new(Refusal::HostNotFound) as Box<_>);
            }
            let permitted: Vec<SocketAddr> = found
                .into_iter()
                .filter(|a| policy.permits(a.ip()))
                .collect();
            if permitted.is_empty() {
                return Err(Box::new(Refusal::AddressNotAllowed) as Box<_>);
            }
            let addrs: Addrs = Box::new(permitted.into_iter());
            Ok(addrs)
        })
    }
}

/// The [`Refusal`] somewhere in an error's source chain (reqwest wraps the resolver's error).
pub fn refusal_in(error: &(dyn std::error::Error + 'static)) -> Option<Refusal> {
    let mut current = Some(error);
    while let Some(e) = current {
        if let Some(refusal) = e.downcast_ref::<Refusal>() {
            return Some(*refusal);
        }
        current = e.source();
    }
    None
}

/// An endpoint URL as it may be shown or logged: the userinfo and every query value replaced
/// by `***`, e.g. `https://***@partner.example/hook?key=***`; the fragment is dropped. Text that
/// is not a URL is shown as `***` (it could be anything).
pub fn mask_url(url: &str) -> String {
    let Ok(mut parsed) = Url::parse(url) else {
        return "***".to_owned();
    };
    let has_userinfo = !parsed.username().is_empty() || parsed.password().is_some();
    parsed.set_fragment(None);
    let query: Option<String> = parsed.query().map(|q| {
        q.split('&')
            .map(|pair| match pair.split_once('=') {
                Some((name, _)) => format!("{name}=***"),
                None if pair.is_empty() => String::new(),
                // A bare value such as `?s3cr3t` is as secret as a named one.
                None => "***".to_owned(),
            })
            .collect::<Vec<_>>()
            .join("&")
    });
    parsed.set_query(None);
    if has_userinfo {
        // Replaced by hand below: `set_username("***")` would percent-encode nothing but is
        // refused for some schemes, and the password must go entirely.
        let _ = parsed.set_password(None);
        let _ = parsed.set_username("");
    }
    let mut shown = parsed.to_string();
    if has_userinfo {
        if let Some(at) = shown.find("://") {
            shown.insert_str(at + 3, "***@");
        }
    }
    if let Some(q) = query {
        shown.push('?');
        shown.push_str(&q);
    }
    shown
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(text: &str) -> IpAddr {
        text.parse().unwrap_or(IpAddr::V4(Ipv4Addr::UNSPECIFIED))
    }

    #[test]
    fn inside_addresses_are_refused_and_public_ones_permitted() {
        let refused = [
            ("127.0.0.1", "loopback"),
            ("127.8.9.10", "loopback network"),
            ("10.0.0.1", "RFC 1918"),
            ("172.16.5.4", "RFC 1918"),
            ("192.168.1.1", "RFC 1918"),
            ("169.254.169.254", "link-local metadata service"),
            ("100.64.0.1", "CGNAT"),
            ("100.127.255.254", "CGNAT"),
            ("0.0.0.0", "unspecified"),
            ("255.255.255.255", "broadcast"),
            ("224.0.0.1", "multicast"),
            ("::1", "IPv6 loopback"),
            ("::", "IPv6 unspecified"),
            ("fc00::1", "unique local"),
            ("fd12:3456::1", "unique local"),
            ("fe80::1", "IPv6 link-local"),
            ("ff02::1", "IPv6 multicast"),
            ("::ffff:127.0.0.1", "IPv4-mapped loopback"),
            ("::ffff:169.254.169.254", "IPv4-mapped metadata service"),
            ("::ffff:10.1.2.3", "IPv4-mapped private"),
            ("::127.0.0.1", "IPv4-compatible loopback"),
            ("::10.0.0.1", "IPv4-compatible private"),
            ("64:ff9b::a9fe:a9fe", "NAT64 of the metadata service"),
        ];
        let policy = OutboundPolicy::default();
        for (address, why) in refused {
            assert!(
                !policy.permits(ip(address)),
                "{address} ({why}) must be refused"
            );
        }
        for address in [
            "93.184.215.14",
            "100.128.0.1",
            "8.8.8.8",
            "2606:4700::1111",
            "::ffff:8.8.8.8",
        ] {
            assert!(policy.permits(ip(address)), "{address} is public");
        }
    }

    #[test]
    fn an_allow_listed_network_is_permitted_in_every_form() {
        let net: IpNet = "127.0.0.1/32".parse().unwrap_or_else(|_| IpNet::default());
        let policy = OutboundPolicy::new(vec![net], true);
        assert!(policy.permits(ip("127.0.0.1")));
        assert!(
            policy.permits(ip("::ffff:127.0.0.1")),
            "the mapped form is the same host"
        );
        assert!(!policy.permits(ip("127.0.0.2")));
        assert!(!policy.permits(ip("10.0.0.1")));
    }

    #[test]
    fn only_https_passes_unless_http_is_allowed() {
        let strict = OutboundPolicy::default();
        assert_eq!(
            strict.check_syntax("http://partner.example/hook").err(),
            Some(Refusal::NotHttps)
        );
        assert_eq!(
            strict.check_syntax("ftp://partner.example/").err(),
            Some(Refusal::NotHttps)
        );
        assert!(strict.check_syntax("https://partner.example/hook").is_ok());
        assert_eq!(
            strict.check_syntax("https://[::1]/hook").err(),
            Some(Refusal::AddressNotAllowed)
        );
        assert_eq!(
            strict.check_syntax("https://0x7f000001/").err(),
            Some(Refusal::AddressNotAllowed),
            "hex forms are parsed as IPv4"
        );
        assert_eq!(
            strict.check_syntax("not a url").err(),
            Some(Refusal::Invalid)
        );
        let lenient = OutboundPolicy::new(Vec::new(), true);
        assert!(lenient.check_syntax("http://partner.example/hook").is_ok());
    }

    #[test]
    fn masked_urls_keep_the_host_and_path_and_hide_keys() {
        assert_eq!(
            mask_url("https://user:pw@partner.example/hook?key=s3cr3t&x=1#frag"),
            "https://***@partner.example/hook?key=***&x=***"
        );
        assert_eq!(
            mask_url("https://partner.example:8443/hook"),
            "https://partner.example:8443/hook"
        );
        assert_eq!(
            mask_url("https://partner.example/hook?s3cr3t"),
            "https://partner.example/hook?***"
        );
        assert_eq!(mask_url("garbage s3cr3t"), "***");
        assert!(!mask_url("https://s3cr3t@partner.example/").contains("s3cr3t"));
    }
}
