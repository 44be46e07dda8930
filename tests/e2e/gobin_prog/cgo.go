//go:build gobincgo
// +build gobincgo

package main

// static int twice(int x) { return 2 * x; }
import "C"

func extra() {
	if C.twice(21) != 42 {
		panic("cgo")
	}
}
