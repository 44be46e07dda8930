// exitcode demonstrates a program that ends with os.Exit(3) while one of
// its goroutines is still blocked in a channel receive: the trace must end
// cleanly with that goroutine still blocked and record exit status 3.
package main

import (
	"fmt"
	"os"
	"time"

	"gotl/samples/internal/truth"
)

type blocked struct {
	goid uint64
	file string
	line int // the receive that never completes
}

func main() {
	// Some ordinary channel work first: a worker doubles ten numbers.
	workerGoid := make(chan uint64, 1)
	in, out := make(chan int), make(chan int)
	go func() {
		workerGoid <- truth.Goid()
		for v := range in {
			out <- 2 * v
		}
	}()
	sum := 0
	for i := 1; i <= 10; i++ {
		in <- i
		sum += <-out
	}
	close(in)

	// Then a goroutine that waits on a channel nobody ever sends on.
	never := make(chan int)
	ready := make(chan blocked, 1)
	go func() {
		announce(ready)
		<-never // blocks until the process exits
	}()
	b := <-ready
	time.Sleep(20 * time.Millisecond) // it is surely parked by now

	fmt.Println("sum:", sum, "- exiting with status 3")
	truth.Print(truth.Fields{
		"sample":       "exitcode",
		"main_goid":    truth.Goid(),
		"worker_goid":  <-workerGoid,
		"blocked_goid": b.goid,
		"block_file":   b.file,
		"block_line":   b.line,
		"wait_reason":  "chan receive",
		"exit_status":  3,
	})
	os.Exit(3)
}

// announce tells main which goroutine is about to block and where: on the
// line right after the call to announce.
func announce(ready chan<- blocked) {
	file, line := truth.Caller(1)
	ready <- blocked{goid: truth.Goid(), file: file, line: line + 1}
}
