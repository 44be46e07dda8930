// panics dies of an unrecovered panic in a goroutine other than main while
// 1,000 other goroutines are blocked on channels and a few are busy: a
// deferred function recovers the first panic and panics again with an error
// wrapping it, so the runtime prints the panic chain and the panicking
// goroutine's stack to stderr and exits with status 2. stdout is
// deterministic (the truth line is printed just before the panic); it must
// not recover for good, print goids outside the truth line, or exit any
// other way.
package main

import (
	"errors"
	"fmt"
	"sync"

	"gotl/samples/internal/truth"
)

var errStress = errors.New("stress: the second panic")

type wrapped struct {
	inner interface{}
}

func (w wrapped) Error() string { return fmt.Sprintf("wrapped(%v)", w.inner) }

func victim(ready *sync.WaitGroup, block chan struct{}) {
	ready.Done()
	<-block
}

func panicker(numbers <-chan int, mainGoid uint64) {
	defer func() {
		r := recover()
		fmt.Printf("recovered %q, panicking again\n", fmt.Sprint(r))
		truth.Print(truth.Fields{
			"sample":      "panics",
			"main_goid":   mainGoid,
			"panic_goid":  truth.Goid(),
			"blocked":     1000,
			"exit_status": 2,
		})
		panic(fmt.Errorf("%w: %v", errStress, wrapped{r}))
	}()
	sum := 0
	for n := range numbers {
		sum += n
	}
	var m map[string]int
	fmt.Printf("sum %d, writing to a nil map\n", sum)
	m["boom"] = sum // a runtime error: assignment to entry in nil map
}

func main() {
	mainGoid := truth.Goid()
	var ready sync.WaitGroup
	block := make(chan struct{})
	for i := 0; i < 1000; i++ {
		ready.Add(1)
		go victim(&ready, block)
	}
	ready.Wait()
	for i := 0; i < 4; i++ {
		go func() {
			x := 0
			for {
				x++
			}
		}()
	}
	numbers := make(chan int)
	go panicker(numbers, mainGoid)
	for i := 1; i <= 100; i++ {
		numbers <- i
	}
	close(numbers)
	<-block // never closed: the panic ends the process
}
