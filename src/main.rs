fn main() -> std::process::ExitCode {
    liminal::main()
}
