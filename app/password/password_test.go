package password

import (
	"strings"
	"testing"
	"time"

	"golang.org/x/crypto/scrypt"
)

// scryptStored builds a record as the reference's user-add does (the §13.3
// fixture uses N=1024, r=1, p=1).
func scryptStored(t *testing.T, pw string) Stored {
	t.Helper()
	salt := []byte("0123456789abcdef")
	key, err := scrypt.Key([]byte(pw), salt, 1024, 1, 1, 32)
	if err != nil {
		t.Fatal(err)
	}
	return Stored{ScryptHash: key, ScryptSalt: salt, ScryptN: 1024, ScryptR: 1, ScryptP: 1}
}

func TestArgon2idRoundTrip(t *testing.T) {
	h, err := Hash("testtest")
	if err != nil {
		t.Fatal(err)
	}
	if want := "$argon2id$v=19$m=19456,t=2,p=1$"; !strings.HasPrefix(h, want) {
		t.Errorf("hash %q, want prefix %q", h, want)
	}
	if ok, up := Verify(Stored{Argon2id: h}, "testtest"); !ok || up {
		t.Errorf("Verify(right password) = %v, %v; want true, false", ok, up)
	}
	if ok, _ := Verify(Stored{Argon2id: h}, "testtesT"); ok {
		t.Error("Verify(wrong password) = true")
	}
	h2, _ := Hash("testtest")
	if h == h2 {
		t.Error("two hashes of one password are equal: salt not random")
	}
}

func TestArgon2idOtherParamsUpgrade(t *testing.T) {
	// A hash made with other (older) parameters still verifies and asks to
	// be redone with the current ones.
	p := params()
	p.Memory, p.Iterations = 1024, 1
	old, err := createWith("pw", p)
	if err != nil {
		t.Fatal(err)
	}
	if ok, up := Verify(Stored{Argon2id: old}, "pw"); !ok || !up {
		t.Errorf("Verify(old params) = %v, %v; want true, true", ok, up)
	}
	if ok, up := Verify(Stored{Argon2id: old}, "wrong"); ok || up {
		t.Errorf("Verify(old params, wrong) = %v, %v; want false, false", ok, up)
	}
}

func TestScrypt(t *testing.T) {
	s := scryptStored(t, "testtest")
	if ok, up := Verify(s, "testtest"); !ok || !up {
		t.Errorf("Verify(scrypt, right) = %v, %v; want true, true (upgrade)", ok, up)
	}
	if ok, up := Verify(s, "wrong"); ok || up {
		t.Errorf("Verify(scrypt, wrong) = %v, %v; want false, false", ok, up)
	}
	bad := s
	bad.ScryptN = 1000 // not a power of two: scrypt refuses
	if ok, _ := Verify(bad, "testtest"); ok {
		t.Error("Verify with invalid scrypt parameters = true")
	}
}

func TestDisabled(t *testing.T) {
	for _, s := range []Stored{
		{},
		{ScryptHash: []byte{}, ScryptSalt: []byte{}, ScryptN: 16384, ScryptR: 8, ScryptP: 1},
	} {
		if !s.Disabled() {
			t.Errorf("%+v: Disabled() = false", s)
		}
		for _, pw := range []string{"", "testtest"} {
			if ok, up := Verify(s, pw); ok || up {
				t.Errorf("Verify(disabled, %q) = %v, %v; want false, false", pw, ok, up)
			}
		}
	}
}

func TestVerifyUnknownCostsLikeVerify(t *testing.T) {
	h, err := Hash("pw")
	if err != nil {
		t.Fatal(err)
	}
	measure := func(f func()) time.Duration {
		best := time.Duration(1 << 62)
		for range 3 {
			start := time.Now()
			f()
			best = min(best, time.Since(start))
		}
		return best
	}
	real := measure(func() { Verify(Stored{Argon2id: h}, "wrong") })
	fake := measure(func() { VerifyUnknown("wrong") })
	if fake < real/3 || fake > real*3 {
		t.Errorf("VerifyUnknown took %v, a real check %v", fake, real)
	}
}
