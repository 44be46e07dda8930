module gobinprog

go 1.17
