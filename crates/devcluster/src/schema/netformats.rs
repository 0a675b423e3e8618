//! Network-flavoured string formats (addresses, host names, e-mail, URIs), accepted as loosely or as
//! strictly as the API server's Go parsers accept them.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

use super::regexes::is_match;

/// An IP address, allowing leading zeros in IPv4 octets as Kubernetes' sloppy parser does.
pub(crate) fn parse_ip_sloppy(s: &str) -> Option<IpAddr> {
    if let Ok(ip) = s.parse::<IpAddr>() {
        return Some(ip);
    }
    if s.contains(':') {
        return s.parse::<Ipv6Addr>().ok().map(IpAddr::V6);
    }
    let parts: Vec<&str> = s.split('.').collect();
    if parts.len() != 4 {
        return None;
    }
    let mut octets = [0u8; 4];
    for (slot, part) in octets.iter_mut().zip(parts) {
        if part.is_empty() || part.len() > 3 || !part.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        *slot = part.parse().ok()?;
    }
    Some(IpAddr::V4(Ipv4Addr::from(octets)))
}

pub(crate) fn is_cidr(s: &str) -> bool {
    let Some((ip, prefix)) = s.split_once('/') else {
        return false;
    };
    let Some(ip) = parse_ip_sloppy(ip) else {
        return false;
    };
    if prefix.is_empty() || !prefix.bytes().all(|b| b.is_ascii_digit()) {
        return false;
    }
    let max = if ip.is_ipv4() { 32 } else { 128 };
    prefix.parse::<u32>().is_ok_and(|p| p <= max)
}

pub(crate) fn is_mac(s: &str) -> bool {
    let b = s.as_bytes();
    if b.len() < 14 {
        return false;
    }
    let hex_groups = |width: usize, sep: u8| -> Option<usize> {
        let groups: Vec<&str> = s.split(sep as char).collect();
        let ok = groups
            .iter()
            .all(|g| g.len() == width && g.bytes().all(|c| c.is_ascii_hexdigit()));
        ok.then_some(groups.len() * width / 2)
    };
    let octets = if b[2] == b':' || b[2] == b'-' {
        hex_groups(2, b[2])
    } else if b[4] == b'.' {
        hex_groups(4, b'.')
    } else {
        None
    };
    matches!(octets, Some(6 | 8 | 20))
}

pub(crate) fn is_hostname(s: &str) -> bool {
    let pattern = r"^([a-zA-Z0-9\p{S}\p{L}]((-?[a-zA-Z0-9\p{S}\p{L}]{0,62})?)|([a-zA-Z0-9\p{S}\p{L}](([a-zA-Z0-9\-\p{S}\p{L}]{0,61}[a-zA-Z0-9\p{S}\p{L}])?)(\.)){1,}([a-zA-Z\p{L}]){2,63})$";
    is_match(pattern, s) && s.len() <= 255 && s.split('.').all(|label| label.len() <= 63)
}

pub(crate) fn is_email(s: &str) -> bool {
    let s = s.trim();
    let addr = match (s.rfind('<'), s.strip_suffix('>')) {
        (Some(open), Some(inner)) => &inner[open + 1..],
        _ => s,
    };
    let Some((local, domain)) = addr.rsplit_once('@') else {
        return false;
    };
    let atom_ok = |part: &str| {
        !part.is_empty()
            && part.split('.').all(|atom| {
                !atom.is_empty()
                    && atom
                        .chars()
                        .all(|c| c.is_alphanumeric() || "!#$%&'*+-/=?^_`{|}~".contains(c) || !c.is_ascii())
            })
    };
    let local_ok = (local.len() >= 2 && local.starts_with('"') && local.ends_with('"')) || atom_ok(local);
    let domain_ok = (domain.starts_with('[') && domain.ends_with(']')) || atom_ok(domain);
    local_ok && domain_ok
}

/// Go's `url.ParseRequestURI` acceptance: an absolute URI, or an absolute path.
pub(crate) fn is_request_uri(s: &str) -> bool {
    if s.is_empty() || s.bytes().any(|b| b < 0x20 || b == 0x7f) {
        return false;
    }
    if s == "*" {
        return true;
    }
    let (scheme, rest) = split_scheme(s);
    let Some(rest) = rest else {
        return false;
    };
    let rest = rest.split_once('?').map_or(rest, |(r, _)| r);
    if !rest.starts_with('/') {
        return !scheme.is_empty();
    }
    let path = if !scheme.is_empty() && rest.starts_with("//") {
        let after = &rest[2..];
        let (authority, path) = after.find('/').map_or((after, ""), |i| after.split_at(i));
        if !valid_authority(authority) {
            return false;
        }
        path
    } else {
        rest
    };
    valid_escapes(path)
}

/// The scheme of `s` ("" when it has none) and the rest, or `None` when the scheme is malformed.
fn split_scheme(s: &str) -> (&str, Option<&str>) {
    for (i, c) in s.char_indices() {
        match c {
            'a'..='z' | 'A'..='Z' => {}
            '0'..='9' | '+' | '-' | '.' if i > 0 => {}
            ':' if i == 0 => return ("", None),
            ':' => return (&s[..i], Some(&s[i + 1..])),
            _ => return ("", Some(s)),
        }
    }
    ("", Some(s))
}

fn valid_authority(authority: &str) -> bool {
    let host = authority.rsplit_once('@').map_or(authority, |(_, h)| h);
    if let Some(inner) = host.strip_prefix('[') {
        let Some((_, port)) = inner.split_once(']') else {
            return false;
        };
        return port.is_empty()
            || port
                .strip_prefix(':')
                .is_some_and(|p| p.bytes().all(|b| b.is_ascii_digit()));
    }
    let (name, port) = host.rsplit_once(':').unwrap_or((host, ""));
    port.bytes().all(|b| b.is_ascii_digit())
        && name
            .chars()
            .all(|c| c.is_alphanumeric() || "-._~!$&'()*+,;=%".contains(c) || !c.is_ascii())
}

fn valid_escapes(s: &str) -> bool {
    let b = s.as_bytes();
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%' {
            let ok = b.get(i + 1).is_some_and(u8::is_ascii_hexdigit) && b.get(i + 2).is_some_and(u8::is_ascii_hexdigit);
            if !ok {
                return false;
            }
            i += 3;
        } else {
            i += 1;
        }
    }
    true
}

#[cfg(test)]
mod tests {
    use super::super::formats::check;

    #[test]
    fn network_formats() {
        assert!(check("ipv4", "10.0.0.1"));
        assert!(check("ipv4", "010.0.0.1"));
        assert!(!check("ipv4", "::1"));
        assert!(check("ipv6", "::1"));
        assert!(check("cidr", "10.0.0.0/8"));
        assert!(!check("cidr", "10.0.0.0/33"));
        assert!(check("mac", "00:1a:2b:3c:4d:5e"));
        assert!(check("mac", "001a.2b3c.4d5e"));
        assert!(!check("mac", "00:1a:2b"));
        assert!(check("hostname", "example.com"));
        assert!(!check("hostname", "-bad-.com"));
        assert!(check("uri", "https://example.com:8080/x?y=1"));
        assert!(check("uri", "/relative/path"));
        assert!(!check("uri", "relative/path"));
        assert!(!check("uri", "http://exa mple.com/"));
        assert!(check("email", "Jane <jane@example.com>"));
        assert!(!check("email", "jane"));
    }
}
