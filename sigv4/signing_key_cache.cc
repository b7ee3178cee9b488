// SigningKeyCache: see the contract in sigv4.h.
#include <openssl/crypto.h>

#include "core/strings.h"
#include "sigv4/canonical.h"
#include "sigv4/sigv4.h"

namespace arbiter::sigv4 {

SigningKeyCache::SigningKeyCache(size_t capacity) : capacity_(capacity == 0 ? 1 : capacity) {}

SigningKeyCache::~SigningKeyCache() {
  for (Entry& e : lru_) OPENSSL_cleanse(e.signing_key.data(), e.signing_key.size());
}

SigningKey SigningKeyCache::Get(std::string_view access_key_id, std::string_view secret,
                                std::string_view date, std::string_view region,
                                std::string_view service) {
  // Length-prefixed fields: no two different scopes share a key, whatever bytes they hold.
  std::string key = StrCat(access_key_id.size(), ":", access_key_id, date.size(), ":", date,
                           region.size(), ":", region, service.size(), ":", service);
  Digest fingerprint = Sha256(secret);
  {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = index_.find(key);
    if (it != index_.end()) {
      Entry& e = *it->second;
      if (CRYPTO_memcmp(e.secret_fingerprint.data(), fingerprint.data(), fingerprint.size()) == 0) {
        ++hits_;
        lru_.splice(lru_.begin(), lru_, it->second);
        return e.signing_key;
      }
    }
    ++misses_;
  }
  // The HMAC chain runs unlocked: concurrent misses for one scope may both compute it;
  // the second insertion below simply refreshes the entry.
  SigningKey derived = DeriveSigningKey(secret, date, region, service);
  std::lock_guard<std::mutex> lock(mu_);
  auto it = index_.find(key);
  if (it != index_.end()) {
    Entry& e = *it->second;
    e.secret_fingerprint = fingerprint;
    e.signing_key = derived;
    lru_.splice(lru_.begin(), lru_, it->second);
    return derived;
  }
  while (lru_.size() >= capacity_) {
    Entry& last = lru_.back();
    OPENSSL_cleanse(last.signing_key.data(), last.signing_key.size());
    index_.erase(last.key);
    lru_.pop_back();
  }
  lru_.push_front(Entry{key, fingerprint, derived});
  index_.emplace(std::move(key), lru_.begin());
  return derived;
}

size_t SigningKeyCache::size() const {
  std::lock_guard<std::mutex> lock(mu_);
  return lru_.size();
}

uint64_t SigningKeyCache::hits() const {
  std::lock_guard<std::mutex> lock(mu_);
  return hits_;
}

uint64_t SigningKeyCache::misses() const {
  std::lock_guard<std::mutex> lock(mu_);
  return misses_;
}

}  // namespace arbiter::sigv4
