from evoforge.cli import main

main()
