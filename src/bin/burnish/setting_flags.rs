//! The training settings as command-line flags, made from the core's schema
//! ([`TrainConfig::settings`]): one `--flag-name VALUE` per setting, with its help, range and
//! default from the schema, so a new setting reaches the CLI without a line here. The values go
//! through the same serde and validation as the page's and a bundle's settings.

use anyhow::Context;
use burnish::train::{Choice, DEFAULT_STRICTNESS, Setting, TrainConfig};
use clap::{Arg, ArgMatches, Args, Command, FromArgMatches};
use serde_json::{Value, json};

const HEADING: &str = "Settings (the bundle's, else these defaults)";

/// The settings given on the command line, by name, as typed.
#[derive(Clone, Debug, Default)]
pub struct SettingFlags {
    given: Vec<(Setting, String)>,
}

/// `--fine-tune-blocks` for `fine_tune_blocks`.
fn flag(setting: &Setting) -> String {
    setting.name.replace('_', "-")
}

/// The values a flag takes, in words.
fn values(setting: &Setting) -> String {
    match setting.kind {
        "number" => format!(
            "{}..={}",
            setting.min.unwrap_or(f64::MIN),
            setting.max.unwrap_or(f64::MAX)
        ),
        "checkbox" => "true or false".into(),
        _ => (setting.options.iter())
            .map(|(value, _)| choice_text(value))
            .collect::<Vec<_>>()
            .join(", "),
    }
}

/// What a flag's help says: the schema's sentence, the values taken and the default.
fn help(setting: &Setting, default: &Value) -> String {
    let default = match default {
        Value::Null if setting.zero_is_off => "0 (off)".into(),
        Value::String(s) => s.clone(),
        other => other.to_string(),
    };
    format!("{} [{}; default: {default}]", setting.help, values(setting))
}

fn choice_text(choice: &Choice) -> String {
    match choice {
        Choice::Text(text) => (*text).into(),
        Choice::Count(n) => n.to_string(),
    }
}

impl Args for SettingFlags {
    fn augment_args(mut cmd: Command) -> Command {
        let defaults = serde_json::to_value(TrainConfig::default()).unwrap_or_default();
        for setting in TrainConfig::settings() {
            let default = defaults.get(setting.name).cloned().unwrap_or_default();
            cmd = cmd.arg(
                Arg::new(setting.name)
                    .long(flag(&setting))
                    .value_name("VALUE")
                    .help(help(&setting, &default))
                    .help_heading(HEADING),
            );
        }
        cmd
    }

    fn augment_args_for_update(cmd: Command) -> Command {
        Self::augment_args(cmd)
    }
}

impl FromArgMatches for SettingFlags {
    fn from_arg_matches(matches: &ArgMatches) -> Result<Self, clap::Error> {
        let given = (TrainConfig::settings().into_iter())
            .filter_map(|s| {
                let value = matches.get_one::<String>(s.name)?.clone();
                Some((s, value))
            })
            .collect();
        Ok(Self { given })
    }

    fn update_from_arg_matches(&mut self, matches: &ArgMatches) -> Result<(), clap::Error> {
        *self = Self::from_arg_matches(matches)?;
        Ok(())
    }
}

/// A flag's text as the setting's JSON value.
fn parse(setting: &Setting, text: &str) -> anyhow::Result<Value> {
    let bad = || format!("--{} {text}", flag(setting));
    Ok(match setting.kind {
        "checkbox" => json!(
            text.parse::<bool>()
                .with_context(|| format!("{}: true or false", bad()))?
        ),
        "select" => {
            let choice = (setting.options.iter())
                .map(|(value, _)| value)
                .find(|value| choice_text(value) == text)
                .with_context(|| format!("{}: not one of {}", bad(), values(setting)))?;
            serde_json::to_value(choice)?
        }
        _ => {
            let number: f64 = text
                .parse()
                .with_context(|| format!("{}: not a number", bad()))?;
            if setting.zero_is_off && number == 0.0 {
                Value::Null
            } else if let Ok(whole) = text.parse::<u64>() {
                json!(whole)
            } else {
                json!(number)
            }
        }
    })
}

impl SettingFlags {
    /// The defaults with the given flags applied, or `None` when no flag was given.
    pub fn given(&self) -> anyhow::Result<Option<TrainConfig>> {
        if self.given.is_empty() {
            return Ok(None);
        }
        self.apply(TrainConfig::default()).map(Some)
    }

    /// `base` (a bundle's settings, or the defaults) with every given flag applied, validated.
    pub fn apply(&self, base: TrainConfig) -> anyhow::Result<TrainConfig> {
        let mut values = serde_json::to_value(base)?;
        for (setting, text) in &self.given {
            values[setting.name] = parse(setting, text)?;
        }
        let config: TrainConfig = serde_json::from_value(values).context("settings")?;
        config.validate()?;
        Ok(config)
    }
}

/// `--strictness`: the "none of these" strictness, as on the page's slider.
#[derive(Clone, Copy, Debug, clap::Args)]
pub struct StrictnessFlag {
    /// "None of these" strictness: the percent of known-class photos it may flag; higher
    /// flags more unfamiliar photos [0..=100; default: the bundle's, else 2].
    #[arg(long, value_name = "PERCENT", value_parser = percent)]
    pub strictness: Option<f32>,
}

impl StrictnessFlag {
    /// The strictness given, else `saved` (a bundle's), else the core's default.
    pub fn or(self, saved: Option<f32>) -> f32 {
        self.strictness.or(saved).unwrap_or(DEFAULT_STRICTNESS)
    }
}

fn percent(text: &str) -> Result<f32, String> {
    match text.parse::<f32>() {
        Ok(p) if (0.0..=100.0).contains(&p) => Ok(p),
        _ => Err(format!("{text} is not a percentage in 0..=100")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::Parser;

    #[derive(Parser)]
    struct Cli {
        #[command(flatten)]
        settings: SettingFlags,
    }

    fn config(args: &[&str]) -> anyhow::Result<TrainConfig> {
        let cli = Cli::try_parse_from(std::iter::once("t").chain(args.iter().copied()))?;
        cli.settings.apply(TrainConfig::default())
    }

    #[test]
    fn every_setting_is_a_flag_and_values_are_checked_by_the_core() {
        let c = config(&[
            "--epochs",
            "7",
            "--fine-tune-blocks",
            "2",
            "--head",
            "linear",
            "--augment",
            "false",
            "--patience",
            "0",
            "--learning-rate",
            "0.01",
        ])
        .expect("valid");
        assert_eq!(
            (c.epochs, c.blocks(), c.augment, c.patience),
            (7, 2, false, None)
        );
        assert_eq!(c.learning_rate, 0.01);
        assert_eq!(
            config(&["--fine-tune-blocks", "auto"]).expect("auto"),
            TrainConfig::default()
        );
        for bad in [
            &["--epochs", "0"][..],
            &["--epochs", "2.5"],
            &["--fine-tune-blocks", "4"],
            &["--head", "deep"],
            &["--augment", "yes"],
            &["--dropout", "1.5"],
        ] {
            assert!(config(bad).is_err(), "{bad:?}");
        }
        let names = TrainConfig::settings().len();
        let flags = Cli::command_for_test().get_arguments().count();
        assert_eq!(flags, names, "one flag per setting");
    }

    impl Cli {
        fn command_for_test() -> Command {
            <Self as clap::CommandFactory>::command()
        }
    }
}
