//go:build !linux || !cgo

package main

// keepFreedHeap is a glibc setting (malloc_glibc.go); elsewhere it does
// nothing.
func keepFreedHeap(int) {}
