package viz

import (
	"reflect"
	"testing"
)

func TestCompareSizes(t *testing.T) {
	left := &Sizes{FileSize: 1000, Areas: []Area{
		{Name: "mirage-crypto", Size: 600, Children: []Area{{Name: "Cipher_block", Size: 500}, {Name: "Hash", Size: 100}}},
		{Name: ".text", Size: 300},
		{Name: Unaccounted, Size: 100},
	}}
	right := &Sizes{FileSize: 1250, Areas: []Area{
		{Name: "mirage-crypto", Size: 550, Children: []Area{{Name: "Cipher_block", Size: 550}}},
		{Name: "fmt", Size: 300, Children: []Area{{Name: "Fmt", Size: 300}}},
		{Name: ".text", Size: 300},
		{Name: Unaccounted, Size: 100},
	}}
	got := CompareSizes(left, right)
	want := []Delta{
		{Library: "fmt", Left: 0, Right: 300},
		{Library: "fmt", Module: "Fmt", Left: 0, Right: 300},
		{Library: "mirage-crypto", Module: "Hash", Left: 100, Right: 0},
		{Library: "mirage-crypto", Left: 600, Right: 550},
		{Library: "mirage-crypto", Module: "Cipher_block", Left: 500, Right: 550},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("CompareSizes =\n%+v\nwant\n%+v", got, want)
	}
	if p := want[4].Percent(); p != 10 {
		t.Errorf("Cipher_block grew %v%%, want 10", p)
	}
	if p := want[2].Percent(); p != -100 {
		t.Errorf("Hash shrank %v%%, want -100", p)
	}
}
