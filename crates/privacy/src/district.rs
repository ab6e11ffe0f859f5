//! Address → district (地址泛化到区县). A Chinese address is written from the largest unit
//! down: province (省 / 自治区), prefecture (市 / 自治州 / 地区 / 盟), county (区 / 县 / 旗 /
//! county-level 市), then street, road, number, building. Generalising keeps the first three.
//!
//! The rule, on the address with all whitespace removed:
//! 1. **City.** Find the earliest prefecture marker 市, 自治州, 地区 or 盟 (not as the first
//!    character). Everything up to and including it is the city part. The 区 of a leading
//!    自治区 is not a prefecture marker, so `内蒙古自治区呼和浩特市…` finds 呼和浩特市.
//! 2. **County.** After the city part, take the text up to and including the first 区, 县, 旗 or
//!    市 that is not its first character (`市中区` is a district of 济南市).
//! 3. **Plausibility.** Each part must look like a place name, or it is not kept: only Chinese
//!    characters (no digits, letters, punctuation); no street-level word (街道, 大道, 街, 路, 镇,
//!    村, 号, 巷, 弄, 胡同, 社区, 小区, 栋, 幢, 单元, 室, 组) after its first character, so
//!    `路南区` and `镇江市` pass but `南城街道…小区` does not; the prefecture (the city part
//!    after any province) has 区, 县 or 旗 only as its last character, so `北京朝阳区大望超市`
//!    is no city; the city part has at most 24 characters, the county part at most 16.
//! 4. **Result.** City part plus county part when both pass; the city part alone when the
//!    county part fails or is missing (`广东省东莞市` has no districts); `None` when there is no
//!    plausible city part (`朝阳区建国路88号`, `北京朝阳区…` without 市): masking fails closed.
//!
//! The check in step 3 exists so that free text which happens to contain 市 or 区 (超市,
//! 小区) can never carry a street, a compound or a house number into the output.

const PROVINCE_MARKERS: [&str; 3] = ["特别行政区", "自治区", "省"];
const PREFECTURE_MARKERS: [&str; 4] = ["自治州", "地区", "盟", "市"];
const COUNTY_MARKERS: [char; 4] = ['区', '县', '旗', '市'];
const STREET_WORDS: [&str; 17] = [
    "街道", "大道", "街", "路", "镇", "村", "号", "巷", "弄", "胡同", "社区", "小区", "栋", "幢",
    "单元", "室", "组",
];
const MAX_CITY_CHARS: usize = 24;
const MAX_COUNTY_CHARS: usize = 16;

/// The district (or city) an address lies in, by the rule in the module documentation.
pub fn district(address: &str) -> Option<String> {
    let text: String = address.chars().filter(|c| !c.is_whitespace()).collect();
    let (city, rest) = text.split_at(prefecture_end(&text)?);
    if !is_city_part(city) {
        return None;
    }
    let mut out = city.to_owned();
    if let Some(county) = county_part(rest) {
        out.push_str(county);
    }
    Some(out)
}

/// Byte offset just after the earliest prefecture marker that is not the first character.
fn prefecture_end(text: &str) -> Option<usize> {
    text.char_indices().skip(1).find_map(|(i, _)| {
        PREFECTURE_MARKERS
            .iter()
            .find(|m| text[i..].starts_with(*m))
            .map(|m| i + m.len())
    })
}

fn is_city_part(city: &str) -> bool {
    if city.chars().count() > MAX_CITY_CHARS {
        return false;
    }
    let (province, prefecture) = PROVINCE_MARKERS
        .iter()
        .filter_map(|m| city.find(m).map(|i| i + m.len()))
        .min()
        .map_or(("", city), |end| city.split_at(end));
    let mut prefecture_name = prefecture.chars();
    prefecture_name.next_back();
    (province.is_empty() || is_place_name(province))
        && is_place_name(prefecture)
        && !prefecture_name.any(|c| matches!(c, '区' | '县' | '旗'))
}

fn county_part(rest: &str) -> Option<&str> {
    let (i, c) = rest
        .char_indices()
        .skip(1)
        .find(|(_, c)| COUNTY_MARKERS.contains(c))?;
    let county = &rest[..i + c.len_utf8()];
    (county.chars().count() <= MAX_COUNTY_CHARS && is_place_name(county)).then_some(county)
}

/// At least two Chinese characters and no street-level word after the first character.
fn is_place_name(name: &str) -> bool {
    let mut chars = name.chars();
    let Some(first) = chars.next() else {
        return false;
    };
    let tail = chars.as_str();
    is_han(first)
        && !tail.is_empty()
        && tail.chars().all(is_han)
        && !STREET_WORDS.iter().any(|w| tail.contains(w))
}

fn is_han(c: char) -> bool {
    matches!(c, '\u{4e00}'..='\u{9fff}' | '\u{3400}'..='\u{4dbf}')
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(address: &str) -> Option<String> {
        district(address)
    }

    // H19, B35: the example and realistic addresses with 旗 and 县.
    #[test]
    fn addresses_keep_their_district() {
        let cases = [
            (
                "内蒙古自治区呼和浩特市新城区海拉尔东街12号",
                "内蒙古自治区呼和浩特市新城区",
            ),
            (
                "内蒙古自治区鄂尔多斯市伊金霍洛旗阿勒腾席热镇天骄北路3号",
                "内蒙古自治区鄂尔多斯市伊金霍洛旗",
            ),
            (
                "内蒙古自治区锡林郭勒盟正蓝旗上都镇元上都路18号",
                "内蒙古自治区锡林郭勒盟正蓝旗",
            ),
            ("河北省石家庄市正定县常山西路66号", "河北省石家庄市正定县"),
            (
                "重庆市石柱土家族自治县南宾街道万寿路7号",
                "重庆市石柱土家族自治县",
            ),
            (
                "云南省临沧市双江拉祜族佤族布朗族傣族自治县勐勐镇",
                "云南省临沧市双江拉祜族佤族布朗族傣族自治县",
            ),
            ("北京市朝阳区建国路88号院3号楼2单元501室", "北京市朝阳区"),
            ("上海市浦东新区世纪大道100号", "上海市浦东新区"),
            (
                "江苏省苏州市昆山市玉山镇前进中路219号",
                "江苏省苏州市昆山市",
            ),
            (
                "四川省凉山彝族自治州西昌市长安街道",
                "四川省凉山彝族自治州西昌市",
            ),
            (
                "新疆维吾尔自治区阿勒泰地区布尔津县友谊路",
                "新疆维吾尔自治区阿勒泰地区布尔津县",
            ),
            (
                "广西壮族自治区南宁市青秀区民族大道",
                "广西壮族自治区南宁市青秀区",
            ),
            ("湖南省长沙市宁乡市玉潭街道", "湖南省长沙市宁乡市"),
        ];
        for (address, expected) in cases {
            assert_eq!(d(address).as_deref(), Some(expected), "{address}");
        }
    }

    #[test]
    fn district_names_that_look_like_streets_are_still_districts() {
        assert_eq!(
            d("山东省济南市市中区经四路5号").as_deref(),
            Some("山东省济南市市中区")
        );
        assert_eq!(
            d("黑龙江省哈尔滨市道里区中央大街").as_deref(),
            Some("黑龙江省哈尔滨市道里区")
        );
        assert_eq!(
            d("河北省唐山市路南区新华东道").as_deref(),
            Some("河北省唐山市路南区")
        );
        assert_eq!(
            d("江苏省镇江市京口区").as_deref(),
            Some("江苏省镇江市京口区")
        );
        assert_eq!(
            d("江苏省南京市鼓楼区中山路").as_deref(),
            Some("江苏省南京市鼓楼区")
        );
    }

    #[test]
    fn whitespace_is_ignored() {
        assert_eq!(
            d(" 北京市 朝阳区  建国路 88 号 ").as_deref(),
            Some("北京市朝阳区")
        );
    }

    // H19: no district marker after the city → keep up to the city.
    #[test]
    fn without_a_district_the_city_is_kept() {
        assert_eq!(d("广东省东莞市").as_deref(), Some("广东省东莞市"));
        assert_eq!(
            d("广东省东莞市南城街道鸿福路88号").as_deref(),
            Some("广东省东莞市")
        );
        // A compound (小区) or a market is not a district.
        assert_eq!(
            d("广东省东莞市南城街道鸿福路88号阳光小区").as_deref(),
            Some("广东省东莞市")
        );
        assert_eq!(
            d("海南省儋州市那大镇人民大道东城市场").as_deref(),
            Some("海南省儋州市")
        );
        assert_eq!(d("北京市朝阳区").as_deref(), Some("北京市朝阳区"));
        assert_eq!(d("北京市").as_deref(), Some("北京市"));
    }

    // H19: masking fails closed — no plausible city, nothing shown.
    #[test]
    fn without_a_city_nothing_is_kept() {
        for address in [
            "",
            "   ",
            "朝阳区建国路88号",
            "北京朝阳区大望超市",
            "建国路88号超市",
            "人民路超市",
            "市",
            "Room 5, 88 Jianguo Road, Beijing",
            "香港特别行政区九龙城区",
        ] {
            assert_eq!(d(address).as_deref(), None, "{address}");
        }
    }
}
