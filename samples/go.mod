module gotl/samples

go 1.17
