//go:build !go1.23

// coro needs iter.Pull, which arrived in Go 1.23; with older toolchains
// it only reports that it was skipped.
package main

import (
	"fmt"
	"runtime"

	"gotl/samples/internal/truth"
)

func main() {
	fmt.Println("coro: iter.Pull needs Go 1.23, this is", runtime.Version())
	truth.Print(truth.Fields{
		"sample":    "coro",
		"main_goid": truth.Goid(),
		"skip":      true,
		"reason":    "iter.Pull needs go1.23",
	})
}
