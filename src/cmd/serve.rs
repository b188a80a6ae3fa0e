//! `otasite serve`: listen first, so the preview's address is known, then load the site with
//! that address as an explicit preview override and serve it.

use super::{Outcome, UsageError};
use crate::cli::ServeArgs;
use crate::{config, serve};

pub fn run(args: &ServeArgs) -> anyhow::Result<Outcome> {
    let preview = serve::listen(&args.bind, args.port).map_err(|e| UsageError(e.to_string()))?;
    let settings = config::load(&args.config, &preview.overrides(&args.config))?;
    config::check_inputs(&settings)?;
    preview.serve(settings);
    Ok(Outcome::Success)
}
