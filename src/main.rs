fn main() -> std::process::ExitCode {
    liminal::cli::main()
}
