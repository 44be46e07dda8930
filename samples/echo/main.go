// echo demonstrates network I/O: a loopback TCP echo server with an
// Accept loop goroutine and one handler goroutine per connection. The
// client (main) sends lines and reads each echo back, so both sides spend
// their time in "IO wait" and in read/write system calls.
package main

import (
	"bufio"
	"fmt"
	"net"
	"os"
	"sync"

	"gotl/samples/internal/truth"
)

const messages = 20

func main() {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	check(err)

	var wg sync.WaitGroup
	serverGoid := make(chan uint64, 1)
	handlerGoid := make(chan uint64, 1)
	wg.Add(1)
	go func() { // server: the Accept loop
		defer wg.Done()
		serverGoid <- truth.Goid()
		for {
			conn, err := ln.Accept()
			if err != nil {
				return // the listener was closed
			}
			wg.Add(1)
			go func() { // handler: echo lines until EOF
				defer wg.Done()
				defer conn.Close()
				handlerGoid <- truth.Goid()
				r := bufio.NewReader(conn)
				for {
					line, err := r.ReadString('\n')
					if err != nil {
						return // the client closed the connection
					}
					if _, err := conn.Write([]byte(line)); err != nil {
						return
					}
				}
			}()
		}
	}()

	conn, err := net.Dial("tcp", ln.Addr().String())
	check(err)
	r := bufio.NewReader(conn)
	for i := 0; i < messages; i++ {
		msg := fmt.Sprintf("message %d\n", i)
		_, err := conn.Write([]byte(msg))
		check(err)
		echo, err := r.ReadString('\n')
		check(err)
		if echo != msg {
			check(fmt.Errorf("sent %q, got back %q", msg, echo))
		}
	}
	conn.Close()
	ln.Close()
	wg.Wait() // the handler saw EOF and the Accept loop saw the close

	fmt.Println("echoed", messages, "messages")
	truth.Print(truth.Fields{
		"sample":       "echo",
		"main_goid":    truth.Goid(),
		"client_goid":  truth.Goid(),
		"server_goid":  <-serverGoid,
		"handler_goid": <-handlerGoid,
		"messages":     messages,
	})
}

func check(err error) {
	if err != nil {
		fmt.Fprintln(os.Stderr, "echo:", err)
		os.Exit(1)
	}
}
