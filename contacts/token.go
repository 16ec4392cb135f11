package contacts

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"time"
)

// TokenKind says what a single-use link is for.
type TokenKind string

// The token kinds.
const (
	// VerifyToken proves a contact controls its address.
	VerifyToken TokenKind = "verify"
	// ConsentToken confirms a double opt-in grant.
	ConsentToken TokenKind = "consent"
)

// A Token is a single-use, expiring secret sent in a link. Only its hash is
// stored; the secret exists in the message alone.
type Token struct {
	// Hash is the hex SHA-256 of the secret.
	Hash    string    `json:"hash"`
	Kind    TokenKind `json:"kind"`
	Org     string    `json:"org"`
	Contact string    `json:"contact"`
	// EmailKey binds the token to the address it was sent to: a changed
	// address makes it useless.
	EmailKey string `json:"email_key"`
	// Purpose is the consent purpose, for a ConsentToken.
	Purpose string `json:"purpose,omitempty"`
	// Role is the role an invitation grants on acceptance.
	Role string `json:"role,omitempty"`
	// Invitation is the invitation an InviteToken accepts.
	Invitation string    `json:"invitation,omitempty"`
	Created    time.Time `json:"created"`
	Expires    time.Time `json:"expires"`
	// Used is when the token was used; zero while unused.
	Used time.Time `json:"used,omitzero"`
}

// tokenBytes is the secret's length: 256 random bits, far above the 128
// RELIABILITY D6 asks for.
const tokenBytes = 32

// newSecret returns a fresh secret for a link and the hash to store.
func newSecret() (secret, hash string) {
	var b [tokenBytes]byte
	rand.Read(b[:])
	secret = base64.RawURLEncoding.EncodeToString(b[:])
	return secret, hashSecret(secret)
}

// hashSecret is how a secret is looked up: by its SHA-256. A secret holds
// 256 random bits, so a fast hash is safe here (nothing to brute-force).
func hashSecret(secret string) string {
	sum := sha256.Sum256([]byte(secret))
	return hex.EncodeToString(sum[:])
}
