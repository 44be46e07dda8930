// panicker demonstrates a crash: a goroutine other than main does a
// little channel work and then panics without recovering, so the runtime
// prints the panic to stderr and the process exits with status 2.
package main

import (
	"fmt"

	"gotl/samples/internal/truth"
)

var mainGoid uint64

func main() {
	mainGoid = truth.Goid()
	numbers := make(chan int)
	go worker(numbers)
	for i := 1; i <= 5; i++ {
		numbers <- i
	}
	close(numbers)
	<-make(chan struct{}) // wait here until the worker's panic ends the process
}

func worker(numbers <-chan int) {
	sum := 0
	for n := range numbers {
		sum += n
	}
	msg := fmt.Sprintf("gotl sample panic (sum %d)", sum)
	announce(msg)
	panic(msg)
}

// announce prints the truth line while the process still can: the panic
// comes on the line right after the call to announce.
func announce(msg string) {
	file, line := truth.Caller(1)
	truth.Print(truth.Fields{
		"sample":      "panicker",
		"main_goid":   mainGoid,
		"panic_goid":  truth.Goid(),
		"panic_file":  file,
		"panic_line":  line + 1,
		"panic_value": msg,
		"exit_status": 2,
	})
}
