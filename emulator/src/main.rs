use std::io::Write;

use clap::Parser;
use oss_emulator::Config;

#[tokio::main]
async fn main() {
    let config = Config::parse();
    match oss_emulator::start(config).await {
        Ok(running) => {
            // Harnesses wait for exactly this line to learn the port.
            println!("listening on {}", running.url());
            let _ = std::io::stdout().flush();
            std::future::pending::<()>().await;
        }
        Err(e) => {
            eprintln!("oss-emulator: {e}");
            std::process::exit(1);
        }
    }
}
