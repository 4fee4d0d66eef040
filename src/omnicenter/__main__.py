from omnicenter.cli import main

main()
