// census: a Go program whose goroutines are in every state `gotl dump` must
// show, for gotl's census tests: blocked on channels (receive, send, nil,
// select, select{}), locks (Mutex, RWMutex, Cond, WaitGroup), sleeping, in a
// raw blocking syscall, in IO wait, locked to a thread, under a deep and an
// inlined call chain, started through a method value, created by another
// goroutine than main. It serves net/http/pprof, so that its own
// /debug/pprof/goroutine?debug=2 can be compared with gotl's dump.
//
//	census [-addr HOST:PORT] [-idle N -depth D] [-churn N] [-spin]
//
// prints "ready ADDR" once every goroutine has reached its blocking point,
// then runs until SIGTERM or SIGINT (exit 0), or -exit-after. -idle adds N
// goroutines blocked in chan receive under D frames (the 100k test and the
// benchmark); -churn N goroutines that change state constantly; -spin one
// that never stops running.
package main

import (
	"flag"
	"fmt"
	"net"
	"net/http"
	_ "net/http/pprof"
	"os"
	"os/signal"
	"runtime"
	"sync"
	"syscall"
	"time"
)

var ready sync.WaitGroup

// parked signals that one more goroutine is about to block.
func parked() { ready.Done() }

func recvWorker(c chan int) {
	parked()
	<-c
}

func selectWait(a, b chan int) {
	parked()
	select {
	case <-a:
	case <-b:
	}
}

// An inlined chain: waitOuter and waitInner are small enough to be inlined
// into inlineHost, so one pc stands for three frames.
func waitInner(c chan int) int { return <-c + 1 }
func waitOuter(c chan int) int { return waitInner(c) * 2 }

//go:noinline
func inlineHost(c chan int) {
	parked()
	fmt.Sprint(waitOuter(c))
}

//go:noinline
func deep(n int, c chan int) int {
	if n == 0 {
		parked()
		return <-c
	}
	return deep(n-1, c) + 1
}

type server struct{ c chan int }

func (s *server) Run() {
	parked()
	<-s.c
}

type runner interface{ Run() }

func lockedWait(c chan int) {
	runtime.LockOSThread()
	parked()
	<-c
}

func spawner(c chan int) {
	ready.Add(1)
	go recvWorker(c)
	parked()
	<-c
}

func rawRead(fd int) {
	var b [1]byte
	parked()
	syscall.Read(fd, b[:]) // a blocking pipe: the goroutine stays in syscall
}

// idle: n goroutines blocked in chan receive, each under depth frames.
func idle(n, depth int, c chan int) {
	for i := 0; i < n; i++ {
		ready.Add(1)
		go deep(depth, c)
	}
}

// churn: goroutines that run, block and sleep without end.
func churn(n int) {
	for i := 0; i < n; i++ {
		a, b := make(chan int), make(chan int)
		go func() {
			for {
				a <- 1
				<-b
				runtime.Gosched()
			}
		}()
		go func() {
			for {
				<-a
				time.Sleep(time.Microsecond)
				b <- 1
			}
		}()
	}
}

func spin() {
	x := 0
	for {
		x++
	}
}

func zoo(never chan int) {
	var mu sync.Mutex
	var rw sync.RWMutex
	var wg sync.WaitGroup
	cond := sync.NewCond(&sync.Mutex{})
	send := make(chan int)
	var nilc chan int

	ready.Add(21)
	for i := 0; i < 3; i++ {
		go recvWorker(never)
	}
	for i := 0; i < 2; i++ {
		go func(i int) {
			parked()
			send <- i
		}(i)
	}
	go selectWait(never, never)
	go func() {
		parked()
		select {}
	}()
	go func() {
		parked()
		<-nilc
	}()
	mu.Lock()
	go func() {
		parked()
		mu.Lock()
	}()
	rw.Lock()
	go func() {
		parked()
		rw.RLock()
	}()
	go func() {
		cond.L.Lock()
		parked()
		cond.Wait()
	}()
	wg.Add(1)
	go func() {
		parked()
		wg.Wait()
	}()
	go func() {
		parked()
		time.Sleep(time.Hour)
	}()
	go func() {
		parked()
		select {
		case <-time.After(time.Hour):
		case <-never:
		}
	}()
	var fds [2]int
	if err := syscall.Pipe(fds[:]); err != nil {
		panic(err)
	}
	go rawRead(fds[0])
	go lockedWait(never)
	go deep(20, never)
	go inlineHost(never)
	var r runner = &server{never}
	go r.Run()
	go (&server{never}).Run()
	go spawner(never)
	generic(never)
	cgo()
	// an object with a finalizer: the runtime starts its finalizer goroutine
	obj := new([64]byte)
	runtime.SetFinalizer(obj, func(*[64]byte) {})
}

func main() {
	addr := flag.String("addr", "127.0.0.1:0", "where to serve net/http/pprof")
	nidle := flag.Int("idle", 0, "goroutines blocked in chan receive")
	depth := flag.Int("depth", 16, "frames under each -idle goroutine")
	nchurn := flag.Int("churn", 0, "pairs of goroutines that change state constantly")
	spinning := flag.Bool("spin", false, "one goroutine that never stops running")
	nozoo := flag.Bool("nozoo", false, "no zoo")
	exitAfter := flag.Duration("exit-after", 0, "exit (status 0) after this long")
	flag.Parse()

	l, err := net.Listen("tcp", *addr)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
	go http.Serve(l, nil)
	never := make(chan int)
	if !*nozoo {
		zoo(never)
	}
	idle(*nidle, *depth, never)
	ready.Wait()
	churn(*nchurn)
	if *spinning {
		go spin()
	}
	time.Sleep(100 * time.Millisecond) // the last ones from parked() to their block
	// The GC notes g.waitsince of the blocked goroutines, as the start of the
	// previous cycle: the second GC is the first to note a time.
	runtime.GC()
	runtime.GC()
	sig := make(chan os.Signal, 1)
	signal.Notify(sig, syscall.SIGTERM, syscall.SIGINT)
	if *exitAfter > 0 {
		time.AfterFunc(*exitAfter, func() { os.Exit(0) })
	}
	fmt.Printf("ready %s\n", l.Addr())
	os.Stdout.Sync()
	<-sig
}
