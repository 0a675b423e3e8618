//! Weights for routers whose own weights have an upper bound (AWS target groups up to 999, App Mesh
//! weighted targets up to 100): the split of `maxTrafficWeight` is written as is when it fits, and as
//! percentages of it otherwise.

/// How one router writes weights given out of `maxTrafficWeight`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct WeightScale {
    max_weight: i64,
    total: i64,
}

impl WeightScale {
    /// The scale of a router whose weights go up to `limit`, under `max_weight`.
    pub fn within(max_weight: i32, limit: i32) -> Self {
        let max_weight = i64::from(max_weight.max(1));
        let total = if max_weight <= i64::from(limit) {
            max_weight
        } else {
            100
        };
        Self { max_weight, total }
    }

    /// What all the weights add up to.
    pub fn total(self) -> i64 {
        self.total
    }

    /// A weight out of `maxTrafficWeight`, on this scale: rounded down, so that no destination gets
    /// more than its share (the stable takes what is left of [`Self::total`]).
    pub fn weight(self, weight: i32) -> i64 {
        i64::from(weight) * self.total / self.max_weight
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_split_that_fits_is_kept_else_percentages() {
        let fits = WeightScale::within(200, 999);
        assert_eq!((fits.total(), fits.weight(150)), (200, 150));
        let percent = WeightScale::within(1000, 999);
        assert_eq!(
            (percent.total(), percent.weight(255), percent.weight(1000)),
            (100, 25, 100)
        );
        let mesh = WeightScale::within(200, 100);
        assert_eq!((mesh.total(), mesh.weight(1)), (100, 0));
        assert_eq!(WeightScale::within(100, 100).weight(37), 37);
    }
}
