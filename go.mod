module github.com/liaisonhq/liaison

go 1.26
