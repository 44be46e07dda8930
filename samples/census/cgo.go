//go:build cgo && gotlcgo

package main

// #include <unistd.h>
import "C"

// cgo: a goroutine in a C call (sleep), and so in syscall state.
func cgo() {
	ready.Add(1)
	go func() {
		parked()
		C.sleep(3600)
	}()
}
