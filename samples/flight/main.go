// flight does what the flight recorder is for, on cue: it runs a steady
// ping-pong (events all the time) beside a goroutine blocked since the
// start in a chan receive, and then, for each line read on stdin:
//
//	pile N    N goroutines block at once in a chan send (a pile-up)
//	stall D   a goroutine holds a mutex for D while another waits in Lock
//	spawn N   N goroutines that sleep 2 s (the number alive jumps)
//	spin D    main spins on the CPU for D ms (with GOMAXPROCS=1 the others
//	          wait for the thread)
//	die       the program kills itself with SIGTERM (it dies of it)
//	panic     the program panics (exit status 2)
//	exit      the truth line, exit 0
//
// After each command it prints "ok CMD" (pile and stall: once the
// goroutines have reached their wait). The first line is "ready" with the
// truth known then: pid, the blocked goroutine's goid, file and line. Each
// *_line is that of the call to truth.Here just before the blocking
// operation, which is on the next line.
package main

import (
	"bufio"
	"fmt"
	"os"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"gotl/samples/internal/truth"
)

type info struct {
	Sample     string   `json:"sample"`
	MainGoid   uint64   `json:"main_goid"`
	Pid        int      `json:"pid"`
	LongGoid   uint64   `json:"long_goid"`
	LongFile   string   `json:"long_file"`
	LongLine   int      `json:"long_line"`
	LongReason string   `json:"long_reason"`
	PileGoids  []uint64 `json:"pile_goids"`
	PileLine   int      `json:"pile_line"`
	StallGoid  uint64   `json:"stall_goid"`
	StallLine  int      `json:"stall_line"`
}

var (
	t         = info{Sample: "flight", LongReason: "chan receive"}
	never     = make(chan int)
	pileCh    = make(chan int)
	pileIDs   truth.IDs
	stallLock sync.Mutex
)

func long(ready chan<- struct{}) {
	t.LongGoid = truth.Goid()
	close(ready)
	t.LongFile, t.LongLine = truth.Here()
	<-never // blocked from the start to the end
}

// pingpong hands a token back and forth every 2 ms: events all the time.
func pingpong() {
	a, b := make(chan int), make(chan int)
	go func() {
		for v := range a {
			b <- v + 1
		}
	}()
	for v := 0; ; v++ {
		a <- v
		<-b
		time.Sleep(2 * time.Millisecond)
	}
}

func pile(n int) {
	var wg sync.WaitGroup
	wg.Add(n)
	for i := 0; i < n; i++ {
		go func() {
			pileIDs.Add(truth.Goid())
			wg.Done()
			_, t.PileLine = truth.Here()
			pileCh <- 1 // nobody receives
		}()
	}
	wg.Wait()
	time.Sleep(50 * time.Millisecond)
}

func stall(d time.Duration) {
	stallLock.Lock()
	got := make(chan uint64)
	go func() {
		got <- truth.Goid()
		_, t.StallLine = truth.Here()
		stallLock.Lock() // waits for d
		stallLock.Unlock()
	}()
	t.StallGoid = <-got
	time.Sleep(d)
	stallLock.Unlock()
}

func main() {
	t.MainGoid = truth.Goid()
	t.Pid = os.Getpid()
	ready := make(chan struct{})
	go long(ready)
	<-ready
	go pingpong()
	time.Sleep(50 * time.Millisecond)
	fmt.Printf("ready %d %d %s %d\n", t.Pid, t.LongGoid, t.LongFile, t.LongLine)
	in := bufio.NewScanner(os.Stdin)
	for in.Scan() {
		f := strings.Fields(in.Text())
		if len(f) == 0 {
			continue
		}
		arg := 0
		if len(f) > 1 {
			arg, _ = strconv.Atoi(f[1])
		}
		switch f[0] {
		case "pile":
			pile(arg)
		case "stall":
			stall(time.Duration(arg) * time.Millisecond)
		case "spawn":
			for i := 0; i < arg; i++ {
				go time.Sleep(2 * time.Second)
			}
		case "spin":
			for end := time.Now().Add(time.Duration(arg) * time.Millisecond); time.Now().Before(end); {
			}
		case "die":
			syscall.Kill(os.Getpid(), syscall.SIGTERM)
			time.Sleep(time.Second)
		case "panic":
			panic("flight: asked to panic")
		case "exit":
			t.PileGoids = pileIDs.List()
			truth.Print(t)
			return
		}
		fmt.Println("ok", f[0])
	}
}
