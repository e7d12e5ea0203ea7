package builder

import "testing"

func TestUUID(t *testing.T) {
	u := [16]byte{0x01, 0x23, 0x45, 0x67, 0x89, 0xab, 0x4d, 0xef, 0x81, 0x23, 0x45, 0x67, 0x89, 0xab, 0xcd, 0xef}
	const text = "01234567-89ab-4def-8123-456789abcdef"
	if got := UUIDString(u); got != text {
		t.Errorf("UUIDString = %s, want %s", got, text)
	}
	tests := []struct {
		in string
		ok bool
	}{
		{text, true},
		{"01234567-89AB-4DEF-8123-456789ABCDEF", true},
		{"", false},
		{"01234567-89ab-4def-8123-456789abcde", false},
		{"01234567-89ab-4def-8123-456789abcdef0", false},
		{"0123456789ab-4def-8123-456789abcdef-", false},
		{"01234567-89ab-4def-8123_456789abcdef", false},
		{"01234567-89ab-4def-8123-456789abcdeg", false},
		{"{1234567-89ab-4def-8123-456789abcdef", false},
		{"01234567-89ab-4def-8123-45678+abcdef", false},
	}
	for _, tt := range tests {
		got, err := ParseUUID(tt.in)
		if (err == nil) != tt.ok {
			t.Errorf("ParseUUID(%q) error = %v, want ok=%v", tt.in, err, tt.ok)
		}
		if tt.ok && got != u {
			t.Errorf("ParseUUID(%q) = %x, want %x", tt.in, got, u)
		}
	}
}
