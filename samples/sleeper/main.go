// sleeper exits while one goroutine sleeps (a periodic task) and another
// waits for input on a pipe (IO wait). Neither is a leak: gotl report must
// not list them unless asked to count every blocked goroutine (--all-waits).
package main

import (
	"fmt"
	"os"
	"runtime"
	"time"

	"gotl/samples/internal/truth"
)

func main() {
	ids := make(chan uint64, 2)
	go func() {
		ids <- truth.Goid()
		for {
			time.Sleep(time.Hour) // a periodic task, asleep at exit
		}
	}()
	r, w, err := os.Pipe()
	if err != nil {
		panic(err)
	}
	go func() {
		ids <- truth.Goid()
		buf := make([]byte, 1)
		r.Read(buf) // waits for input that never comes: IO wait
	}()
	a, b := <-ids, <-ids
	time.Sleep(50 * time.Millisecond)
	fmt.Println("exiting with goroutines", a, "and", b, "still waiting")
	truth.Print(truth.Fields{
		"sample":       "sleeper",
		"main_goid":    truth.Goid(),
		"waiter_goids": []uint64{a, b},
	})
	// The write end stays open to the very end (closing it, or letting a
	// finalizer close it, would wake the reader).
	runtime.KeepAlive(w)
}
