//! hashwatt's entry point: parse the command line, run the command, exit
//! with its status (the README's table, `hashwatt::error::exit`).

fn main() {
    let status = match hashwatt::cli::parse() {
        Ok(cli) => hashwatt::commands::run(cli),
        Err(status) => status,
    };
    std::process::exit(status);
}
