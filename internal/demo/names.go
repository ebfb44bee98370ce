package demo

import (
	"fmt"
	"math/rand/v2"
	"strings"
)

// subdistrictNames are Xinluo's real subdistricts (街道) in code order, with where each sits in the
// 3-row layout: row 0 is the south.
var subdistrictNames = []struct {
	name     string
	row, col int
	villages int // how many of its communities are villages (村) at most
}{
	{"东城街道", 1, 2, 1}, {"西城街道", 1, 0, 1}, {"南城街道", 0, 0, 1}, {"北城街道", 2, 1, 1},
	{"中城街道", 1, 1, 0}, {"曹溪街道", 2, 0, 4}, {"东肖街道", 0, 1, 4},
}

// mainRoadNames are real Longyan trunk roads, used before the generated 经N路/纬N路 ones.
var (
	verticalMainRoads   = []string{"九一路", "登高路", "龙岩大道", "西安路", "莲花路", "龙川路", "双龙路", "华莲路", "东肖路", "曹溪路"}
	horizontalMainRoads = []string{"北环路", "人民路", "南环路", "溪南路", "龙腾路", "江山路", "东宝路", "龙门路", "西陂路", "紫金路"}
)

// Character lists for generated names; short enough to read, long enough to keep names unique.
var (
	placeFirst  = []rune("莲溪龙东西南北中华紫金铁石翠岩山江凤登曹桥水新和平安福兴富丽红青白岭坑")
	placeSecond = []rune("东西南北中山桥岭坑洋塘园城兴福丰源湖林峰田坪头尾洲湾庄店埔")
	compoundA   = []string{"富豪", "金鼎", "龙腾", "紫金", "华莲", "阳光", "锦绣", "翠屏", "江山", "溪南", "东方", "世纪",
		"幸福", "和平", "建设", "育才", "铁山", "登高", "龙津", "红坊", "莲花", "曙光", "新城", "丽景", "恒宝", "鑫源",
		"碧水", "桂花", "万达", "凤凰", "怡景", "嘉禾", "天元", "盛世", "书香", "中驰", "雁石", "侨联"}
	compoundB  = []string{"小区", "花园", "新村", "苑", "家园", "公寓", "名都"}
	streetWord = []string{"路", "街", "路", "街", "大街"}
	parkNames  = []string{"中山", "人民", "龙津", "莲花", "登高", "紫金", "江滨", "龙岩洞", "天马", "虎岭", "翠屏", "闽西"}
	squareName = []string{"中心", "人民", "九一", "会展", "体育", "市民", "文化", "东门", "西门", "红色"}
	shopStreet = []string{"中山街", "西安街", "和平街", "九一街", "新罗街", "龙津街", "东门街", "万宝街", "万达街"}
	nightNames = []string{"西安", "九一", "莲东", "龙津", "登高", "中山"}
	surnames   = []rune("王李张刘陈杨黄赵吴周徐孙马朱胡郭何林罗高郑梁谢宋唐许邓冯韩曹曾彭萧蔡潘田董袁于余叶蒋杜苏魏程吕丁沈任姚卢傅钟姜崔谭廖范汪陆金石戴贾韦夏邱方侯邹熊孟秦白江薛尹段雷黎史龙陶贺顾毛郝龚邵万钱严赖洪武莫孔")
	givenChars = []rune("伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玲建国文斌辉鹏宇婷雪琳晨晓红燕梅志海波峰鑫亮春欣瑶颖")
)

// namer hands out names and makes them unique by suffixing a number (二期, 3号, …) to repeats.
type namer struct{ seen map[string]int }

func newNamer() *namer { return &namer{seen: map[string]int{}} }

// unique returns base the first time and base+n+suffix the n-th time.
func (n *namer) unique(base, suffix string) string {
	n.seen[base]++
	if k := n.seen[base]; k > 1 {
		return base + cnum(k) + suffix
	}
	return base
}

// fresh draws names from gen until one is new, falling back to a numbered one.
func (n *namer) fresh(gen func() string) string {
	for range 50 {
		if s := gen(); n.seen[s] == 0 {
			n.seen[s] = 1
			return s
		}
	}
	return n.unique(gen(), "号")
}

var digits = []string{"零", "一", "二", "三", "四", "五", "六", "七", "八", "九", "十"}

// cnum writes 1–99 in Chinese numerals (as lanes and road sections are numbered) and larger
// numbers in Arabic digits.
func cnum(k int) string {
	switch {
	case k <= 10:
		return digits[k]
	case k < 20:
		return "十" + digits[k-10]
	case k < 100 && k%10 == 0:
		return digits[k/10] + "十"
	case k < 100:
		return digits[k/10] + "十" + digits[k%10]
	}
	return fmt.Sprint(k)
}

func pick[T any](r *rand.Rand, xs []T) T { return xs[r.IntN(len(xs))] }

func placeName(r *rand.Rand) string {
	return string([]rune{pick(r, placeFirst), pick(r, placeSecond)})
}

func personName(r *rand.Rand) string {
	var b strings.Builder
	b.WriteRune(pick(r, surnames))
	for range 1 + r.IntN(2) {
		b.WriteRune(pick(r, givenChars))
	}
	return b.String()
}

func compoundName(r *rand.Rand) string { return pick(r, compoundA) + pick(r, compoundB) }

// short drops the 社区/村/街道 suffix: 莲东社区 → 莲东, for lane and market names.
func short(name string) string {
	for _, s := range []string{"社区", "村", "街道"} {
		if t, ok := strings.CutSuffix(name, s); ok {
			return t
		}
	}
	return name
}
