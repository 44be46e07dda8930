// interrupt runs until it is interrupted: main waits on a channel nobody
// sends on, a second goroutine sleeps in a loop. It has no signal handler,
// so Ctrl-C kills it the way it kills most programs (a shell reports 130).
// The tests use it to check that gotl lets the interrupt reach the program
// and still writes the trace.
package main

import (
	"sync"
	"time"

	"gotl/samples/internal/truth"
)

func main() {
	var started sync.WaitGroup
	var sleeper uint64
	started.Add(1)
	go func() {
		sleeper = truth.Goid()
		started.Done()
		for {
			time.Sleep(time.Second)
		}
	}()
	started.Wait()
	truth.Print(truth.Fields{
		"sample":       "interrupt",
		"main_goid":    truth.Goid(),
		"sleeper_goid": sleeper,
		"wait_reason":  "chan receive",
	})
	<-make(chan int) // blocks until the program is interrupted
}
