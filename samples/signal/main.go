// signal demonstrates death by signal: after a little channel work the
// program sends itself SIGTERM without handling it, so the runtime lets
// the default action kill the process (a shell reports status 143).
package main

import (
	"fmt"
	"os"
	"syscall"
	"time"

	"gotl/samples/internal/truth"
)

func main() {
	workerGoid := make(chan uint64, 1)
	in, out := make(chan int), make(chan int)
	go func() {
		workerGoid <- truth.Goid()
		for v := range in {
			out <- v * v
		}
		close(out)
	}()
	go func() {
		for i := 1; i <= 10; i++ {
			in <- i
		}
		close(in)
	}()
	sum := 0
	for v := range out {
		sum += v
	}

	fmt.Println("sum:", sum, "- sending SIGTERM to myself")
	truth.Print(truth.Fields{
		"sample":      "signal",
		"main_goid":   truth.Goid(),
		"worker_goid": <-workerGoid,
		"signal":      int(syscall.SIGTERM),
	})
	syscall.Kill(os.Getpid(), syscall.SIGTERM)
	time.Sleep(time.Second)
	fmt.Fprintln(os.Stderr, "signal: still alive after SIGTERM")
	os.Exit(1)
}
