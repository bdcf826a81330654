//! `X-Hub-Signature-256`: HMAC-SHA256 of the raw body keyed with the app secret.

use hmac::{Hmac, Mac};
use sha2::Sha256;

type HmacSha256 = Hmac<Sha256>;

/// True when `header` is `sha256=<hex>` of HMAC-SHA256(`app_secret`, `body`).
/// The comparison is constant-time.
pub fn verify_signature(app_secret: &[u8], body: &[u8], header: Option<&str>) -> bool {
    let Some(given) = header
        .and_then(|h| h.strip_prefix("sha256="))
        .and_then(|h| hex::decode(h).ok())
    else {
        return false;
    };
    mac(app_secret, body).verify_slice(&given).is_ok()
}

/// The `X-Hub-Signature-256` value Meta would send for `body`.
pub fn sign(app_secret: &[u8], body: &[u8]) -> String {
    format!(
        "sha256={}",
        hex::encode(mac(app_secret, body).finalize().into_bytes())
    )
}

fn mac(key: &[u8], body: &[u8]) -> HmacSha256 {
    // HMAC accepts keys of any length, so this cannot fail.
    let mut mac = HmacSha256::new_from_slice(key).unwrap_or_else(|_| unreachable!());
    mac.update(body);
    mac
}

#[cfg(test)]
mod tests {
    use super::*;

    const META_VECTOR: &str =
        "sha256=0c61947b610d4f45e65f3d680e26027121ec2413e77598bcb6cfc6e0d9888221";

    #[test]
    fn matches_the_meta_sdk_test_vector() {
        assert_eq!(sign(b"TEST_APP_SECRET", b"test"), META_VECTOR);
        assert!(verify_signature(
            b"TEST_APP_SECRET",
            b"test",
            Some(META_VECTOR)
        ));
    }

    #[test]
    fn rejects_wrong_missing_or_malformed_signatures() {
        assert!(!verify_signature(
            b"TEST_APP_SECRET",
            b"test ",
            Some(META_VECTOR)
        ));
        assert!(!verify_signature(b"OTHER", b"test", Some(META_VECTOR)));
        assert!(!verify_signature(b"TEST_APP_SECRET", b"test", None));
        assert!(!verify_signature(
            b"TEST_APP_SECRET",
            b"test",
            Some("sha256=zz")
        ));
        assert!(!verify_signature(
            b"TEST_APP_SECRET",
            b"test",
            Some(&META_VECTOR[7..])
        ));
        assert!(!verify_signature(
            b"TEST_APP_SECRET",
            b"test",
            Some("sha256=0c61")
        ));
    }
}
