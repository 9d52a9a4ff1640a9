fn main() {
    std::process::exit(hashwatt::cli::main());
}
